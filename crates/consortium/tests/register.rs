//! The register's procedures over a real store.

use consortium::{Consortium, ConsortiumError, NewMember, Settings};
use governance::membership::OrgKind;
use store::{Act, Store};
use testkit::TempDir;

fn member(name: &str) -> NewMember {
    NewMember {
        name: name.into(),
        legal_name: Some("Some Co-operative".into()),
        legal_form: None,
        kind: OrgKind::Organisation,
        class: "consumer".into(),
        weight: None,
        contact: None,
    }
}

fn settings() -> Settings {
    Settings {
        name: "Test consortium".into(),
        public_url: "http://coop.example".into(),
        forum: false,
        mail: false,
    }
}

#[tokio::test]
async fn an_organisation_name_must_be_usable_in_links() {
    let dir = TempDir::new("consortium-names");
    let store = Store::open(&dir.sqlite_url()).await.unwrap();
    let consortium = Consortium::new(store, settings(), None);
    let act = Act::new("operator:test", 0);
    for bad in [
        "",
        "../alpha",
        "Alpha",
        "alpha beta",
        "-alpha",
        &"a".repeat(65),
    ] {
        assert!(
            matches!(
                consortium.admit_founder(&member(bad), &act).await,
                Err(ConsortiumError::Invalid(_))
            ),
            "{bad:?} is refused"
        );
        assert!(matches!(
            consortium.apply(&member(bad), "", &act).await,
            Err(ConsortiumError::Invalid(_))
        ));
    }
    assert!(
        consortium
            .admit_founder(&member("alpha-2"), &act)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_member_is_not_admitted_again_and_keeps_its_history() {
    let dir = TempDir::new("consortium-founder-twice");
    let store = Store::open(&dir.sqlite_url()).await.unwrap();
    let consortium = Consortium::new(store.clone(), settings(), None);
    let act = Act::new("operator:test", 0);
    consortium
        .admit_founder(&member("alpha"), &act)
        .await
        .unwrap();
    let again = consortium.admit_founder(&member("alpha"), &act).await;
    assert!(
        matches!(&again, Err(ConsortiumError::Conflict(why)) if why.contains("already in the register as member")),
        "{again:?}"
    );
    let alpha = store.organisation("alpha").await.unwrap();
    assert_eq!(store.membership_history(alpha.id).await.unwrap().len(), 1);
}
