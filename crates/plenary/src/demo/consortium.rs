//! The demo's consortium: the sample organisations as founding members, a
//! federation with two votes, a delegate with a token for each, a fourth
//! organisation's application open for the vote, and a policy proposal
//! some members have already voted on.

use consortium::{Consortium, Draft, NewMember, Voter};
use governance::membership::{LegalForm, OrgKind};
use governance::proposal::{Ballot, Choice, Kind, Position};

/// A delegate the demo made, with the token to vote as them.
pub struct Delegate {
    pub org: String,
    pub person: String,
    pub token: String,
}

pub struct Seeded {
    pub delegates: Vec<Delegate>,
    /// `(id, title)` of the open proposals.
    pub proposals: Vec<(i64, String)>,
}

/// `founders` are `(name, legal name, class, legal form)`; they exist as
/// organisations.
pub async fn seed(
    c: &Consortium,
    founders: &[(&str, &str, &str, LegalForm)],
) -> anyhow::Result<Seeded> {
    let act = super::demo_act;
    let federation = (
        "housing-federation",
        "Federation of Housing Co-ops",
        "consumer",
        LegalForm::Federation,
    );
    c.store()
        .add_organisation(federation.0, federation.1, &act())
        .await?;
    let mut delegates = Vec::new();
    for (name, legal, class, form) in founders.iter().chain([&federation]) {
        let kind = if *name == federation.0 {
            OrgKind::Federation
        } else {
            OrgKind::Organisation
        };
        let new = NewMember {
            name: (*name).into(),
            legal_name: Some((*legal).into()),
            legal_form: Some(*form),
            kind,
            class: (*class).into(),
            weight: (kind == OrgKind::Federation).then_some(2),
            contact: Some(format!("board@{name}.example")),
        };
        c.admit_founder(&new, &act()).await?;
        let person = format!("{name}-delegate");
        c.store()
            .add_person(
                &person,
                &format!("Delegate of {legal}"),
                &format!("delegate@{name}.example"),
                &act(),
            )
            .await?;
        c.store()
            .set_representative(name, &person, "delegate", &act())
            .await?;
        let token = c
            .store()
            .issue_token(Some(&person), "demo", &act())
            .await?
            .token;
        delegates.push(Delegate {
            org: (*name).into(),
            person,
            token,
        });
    }
    let radio = NewMember {
        name: "community-radio".into(),
        legal_name: Some("Community Radio Co-op".into()),
        legal_form: Some(LegalForm::CoOperative),
        kind: OrgKind::Organisation,
        class: "consumer".into(),
        weight: None,
        contact: Some("board@community-radio.example".into()),
    };
    let application = c
        .apply(
            &radio,
            "We broadcast weekly live shows and need rooms for our call-ins.",
            &act(),
        )
        .await?;
    let rules = c.rules().await?.proposal_rules();
    let policy = Draft {
        title: "Adopt the fair-use policy".into(),
        text: "Each organisation's monthly use stays within its tier's allowance; \
               sustained use above it is discussed with the organisation before any change."
            .into(),
        kind: Kind::Consent,
        options: Vec::new(),
        rules,
        purpose: "general".into(),
        subject_org: None,
        amends: None,
    };
    let policy_id = c.draft(&policy, &act()).await?;
    c.open(policy_id, None, &act()).await?;
    // Two members have voted on the policy already; one had a concern.
    for (d, position) in delegates.iter().zip([Position::Agree, Position::Disagree]) {
        let voter = Voter::Person(c.store().person(&d.person).await?);
        let ballot = Ballot {
            choice: Choice::Consent {
                position,
                reason: (position == Position::Disagree)
                    .then(|| "We would like the allowance reviewed after a year.".into()),
            },
            minutes_link: None,
        };
        c.vote(policy_id, &d.org, &voter, ballot, &act()).await?;
    }
    let mut proposals = Vec::new();
    for id in [application, policy_id] {
        proposals.push((id, c.view(id).await?.title));
    }
    Ok(Seeded {
        delegates,
        proposals,
    })
}
