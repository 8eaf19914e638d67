//! The portal's logins, sessions and one-time links, told on SQLite and
//! on PostgreSQL.

use store::{Act, LoginOwner, Store, StoreError};

fn act(at_ms: i64) -> Act {
    Act::new("operator:test", at_ms)
}

async fn on_both_backends<F, Fut>(story: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let story = &story;
    testkit::on_both_backends("logins", move |url| async move {
        story(Store::open(&url).await.expect("store opens")).await
    })
    .await;
}

async fn ada(s: &Store) -> LoginOwner {
    let p = s
        .add_person("ada", "Ada", "ada@example.org", &act(1))
        .await
        .unwrap();
    LoginOwner::Person(p)
}

#[tokio::test]
async fn a_login_is_found_by_its_email_in_any_case_and_its_password_replaced() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        let first = s
            .set_login("ada@example.org", &owner, "$argon2id$one", &act(2))
            .await
            .unwrap();
        let again = s
            .set_login("Ada@Example.org", &owner, "$argon2id$two", &act(3))
            .await
            .unwrap();
        assert_eq!(first.id, again.id);
        let found = s.login_by_email("ADA@example.ORG").await.unwrap().unwrap();
        assert_eq!(found.password_hash.as_deref(), Some("$argon2id$two"));
        assert_eq!(found.owner, owner);
        assert!(s.login_by_email("bob@example.org").await.unwrap().is_none());
        let entries = s.audit_entries(None, 0, 100).await.unwrap();
        let last = entries.last().unwrap();
        assert_eq!(
            (last.kind.as_str(), last.subject.as_str()),
            ("login.password", "person:ada")
        );
        assert!(!last.detail.to_string().contains("argon2"));
    })
    .await;
}

#[tokio::test]
async fn two_owners_cannot_share_an_email() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        s.set_login("ada@example.org", &owner, "h", &act(2))
            .await
            .unwrap();
        let op = LoginOwner::Operator("root".into());
        let e = s
            .set_login("ada@example.org", &op, "h", &act(3))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn an_operator_login_keeps_its_totp_secret() {
    on_both_backends(|s| async move {
        let op = LoginOwner::Operator("root".into());
        let login = s
            .set_login("root@example.org", &op, "h", &act(2))
            .await
            .unwrap();
        s.set_totp_secret(&login, Some("JBSWY3DPEHPK3PXP"), &act(3))
            .await
            .unwrap();
        let login = s.login(login.id).await.unwrap();
        assert_eq!(login.owner, op);
        assert_eq!(login.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(!format!("{login:?}").contains("JBSWY3DPEHPK3PXP"));
    })
    .await;
}

#[tokio::test]
async fn failures_count_within_a_window_and_restart_after_it() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        let l = s
            .set_login("ada@example.org", &owner, "h", &act(2))
            .await
            .unwrap();
        assert_eq!(
            s.record_login_failure(l.id, 1_000, 60_000).await.unwrap(),
            1
        );
        assert_eq!(
            s.record_login_failure(l.id, 2_000, 60_000).await.unwrap(),
            2
        );
        assert_eq!(
            s.record_login_failure(l.id, 70_000, 60_000).await.unwrap(),
            1
        );
        s.clear_login_failures(l.id).await.unwrap();
        assert_eq!(s.login(l.id).await.unwrap().failures, 0);
    })
    .await;
}

#[tokio::test]
async fn a_session_is_found_by_its_cookie_until_it_expires_or_ends() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        let l = s
            .set_login("ada@example.org", &owner, "h", &act(2))
            .await
            .unwrap();
        s.create_session("cookie-1", l.id, "csrf-1", false, (10, 100))
            .await
            .unwrap();
        let session = s.session("cookie-1", 50).await.unwrap().unwrap();
        assert_eq!(
            (session.login.id, session.csrf_token.as_str()),
            (l.id, "csrf-1")
        );
        assert!(!session.second_factor);
        s.confirm_second_factor("cookie-1").await.unwrap();
        assert!(
            s.session("cookie-1", 50)
                .await
                .unwrap()
                .unwrap()
                .second_factor
        );
        assert!(s.session("cookie-1", 100).await.unwrap().is_none());
        assert!(s.session("cookie-2", 50).await.unwrap().is_none());
        s.create_session("cookie-3", l.id, "csrf-3", true, (10, 100))
            .await
            .unwrap();
        s.end_session("cookie-1").await.unwrap();
        assert!(s.session("cookie-1", 50).await.unwrap().is_none());
        s.end_sessions_of(l.id).await.unwrap();
        assert!(s.session("cookie-3", 50).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_one_time_link_is_used_once_for_its_purpose_before_it_expires() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        let l = s
            .set_login("ada@example.org", &owner, "h", &act(2))
            .await
            .unwrap();
        s.create_login_link("tok", l.id, "login", "/proposals/1", (10, 100))
            .await
            .unwrap();
        assert!(
            s.use_login_link("tok", "reset", 20)
                .await
                .unwrap()
                .is_none()
        );
        let used = s.use_login_link("tok", "login", 20).await.unwrap().unwrap();
        assert_eq!(
            (used.login_id, used.next_path.as_str()),
            (l.id, "/proposals/1")
        );
        assert!(
            s.use_login_link("tok", "login", 21)
                .await
                .unwrap()
                .is_none()
        );
        s.create_login_link("late", l.id, "reset", "/", (10, 100))
            .await
            .unwrap();
        assert!(
            s.use_login_link("late", "reset", 100)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn a_persons_login_is_found_by_the_person() {
    on_both_backends(|s| async move {
        let owner = ada(&s).await;
        let LoginOwner::Person(ada) = &owner else {
            unreachable!()
        };
        assert!(s.login_of_person(ada.id).await.unwrap().is_none());
        let l = s
            .set_login("ada@work.example", &owner, "h", &act(2))
            .await
            .unwrap();
        let found = s.login_of_person(ada.id).await.unwrap().unwrap();
        assert_eq!((found.id, found.email.as_str()), (l.id, "ada@work.example"));
    })
    .await;
}
