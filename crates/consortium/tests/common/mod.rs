//! A consortium of three founders and a federation, each with a delegate.

#![allow(dead_code)] // each test binary uses a different part

use consortium::{Consortium, NewMember, Settings, Voter};
use governance::membership::{ConsortiumRules, OrgKind};
use governance::proposal::{Ballot, Choice, Position};
use store::{Act, Store};

pub const DAY: i64 = 86_400_000;
pub const T0: i64 = 1_796_083_200_000; // 2026-12-01 00:00 UTC

pub fn at(ms: i64) -> Act {
    Act::new("operator:test", ms)
}

pub fn member(name: &str, class: &str, kind: OrgKind, weight: Option<u32>) -> NewMember {
    NewMember {
        name: name.into(),
        legal_name: Some(format!("{name} co-op")),
        legal_form: None,
        kind,
        class: class.into(),
        weight,
        contact: Some(format!("board@{name}.example")),
    }
}

pub fn consent(position: Position) -> Ballot {
    Ballot {
        choice: Choice::Consent {
            position,
            reason: (position != Position::Agree).then(|| "we discussed it".into()),
        },
        minutes_link: None,
    }
}

pub struct World {
    pub c: Consortium,
    _dir: testkit::TempDir,
}

/// Three founders and a federation of weight 2, each with a delegate.
pub async fn world_with(settings: Settings) -> World {
    let dir = testkit::TempDir::new("consortium");
    let c = founded(&dir.sqlite_url(), settings, None).await;
    World { c, _dir: dir }
}

/// The same consortium founded under `rules` (default: the defaults).
pub async fn world_under(rules: &ConsortiumRules) -> World {
    let dir = testkit::TempDir::new("consortium");
    let c = founded(&dir.sqlite_url(), settings(), Some(rules)).await;
    World { c, _dir: dir }
}

/// The consortium on the database at `url`, its founding rules set first.
pub async fn founded(url: &str, settings: Settings, rules: Option<&ConsortiumRules>) -> Consortium {
    let store = Store::open(url).await.unwrap();
    let c = Consortium::new(store, settings, None);
    if let Some(rules) = rules {
        c.set_rules(rules, &at(T0 - 31 * DAY)).await.unwrap();
    }
    for (name, class, kind, weight) in [
        ("alpha", "producer", OrgKind::Organisation, None),
        ("beta", "consumer", OrgKind::Organisation, None),
        ("gamma", "consumer", OrgKind::Organisation, None),
        ("fed", "consumer", OrgKind::Federation, Some(2)),
    ] {
        c.admit_founder(&member(name, class, kind, weight), &at(T0 - 30 * DAY))
            .await
            .unwrap();
        let person = format!("{name}-delegate");
        c.store()
            .add_person(&person, &person, &format!("{person}@x.example"), &at(T0))
            .await
            .unwrap();
        c.store()
            .set_representative(name, &person, "delegate", &at(T0))
            .await
            .unwrap();
    }
    c
}

pub async fn delegate(c: &Consortium, org: &str) -> Voter {
    Voter::Person(c.store().person(&format!("{org}-delegate")).await.unwrap())
}

pub fn settings() -> Settings {
    Settings {
        name: "Test consortium".into(),
        public_url: "https://coop.example".into(),
        forum: true,
        mail: true,
    }
}

pub async fn world() -> World {
    world_with(settings()).await
}

/// Delta applies to join at `T0`; returns its admission's proposal.
pub async fn apply_delta(c: &Consortium) -> i64 {
    c.apply(
        &member("delta", "consumer", OrgKind::Organisation, None),
        "We run a school.",
        &at(T0),
    )
    .await
    .unwrap()
}
