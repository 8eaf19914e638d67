//! Sample notifications shared by the tests.
// Each test crate uses only some of them.
#![allow(dead_code)]

use notify::{
    Addressee, ApplicationReceived, BallotReplaced, MembershipChanged, Outcome, OutcomeStated,
    ProposalOpened, Reminder, RulesSummary,
};

pub fn addressee() -> Addressee {
    Addressee {
        organisation: "Ateneu Popular".into(),
        consortium: "Xarxa Meet".into(),
    }
}

pub fn proposal_opened() -> ProposalOpened {
    ProposalOpened {
        to: addressee(),
        proposal_id: "P-2026-014".into(),
        title: "Raise the fair-use allowance of the Small tier".into(),
        kind: "tier change".into(),
        closes_at: "2026-12-08 18:00 UTC".into(),
        link: "https://plenary.coop.example/proposals/P-2026-014".into(),
        meeting_room: Some("https://meet.coop.example/rooms/ateneu-assembly".into()),
        rules: RulesSummary {
            lead_time_days: 7,
            quorum: "half of the member organisations".into(),
            threshold: "two thirds of the votes cast".into(),
        },
        fingerprint: "sha256:3f2a9c41d0b7e6a85c1f4e2d9b0a7c6e5f4d3c2b1a09f8e7d6c5b4a392817065"
            .into(),
    }
}

pub fn reminder() -> Reminder {
    Reminder {
        to: addressee(),
        title: "Raise the fair-use allowance of the Small tier".into(),
        closes_at: "2026-12-08 18:00 UTC".into(),
        link: "https://plenary.coop.example/proposals/P-2026-014".into(),
    }
}

pub fn outcome() -> Outcome {
    Outcome {
        to: addressee(),
        title: "Raise the fair-use allowance of the Small tier".into(),
        result: "Accepted: 8 for, 2 against, 1 abstention (80 % of votes cast for)".into(),
        turnout: "11 of 12 organisations (92 %)".into(),
        audit_head: "9c41d0b7e6a85c1f4e2d9b0a7c6e5f4d3c2b1a09f8e7d6c5b4a3928170653f2a".into(),
        export_link: "https://plenary.coop.example/proposals/P-2026-014/export".into(),
    }
}

pub fn ballot_replaced(counts: bool) -> BallotReplaced {
    let (by, earlier_by) = if counts {
        ("marta (delegate)", "joan (deputy)")
    } else {
        ("joan (deputy)", "marta (delegate)")
    };
    BallotReplaced {
        to: addressee(),
        title: "Raise the fair-use allowance of the Small tier".into(),
        link: "https://plenary.coop.example/proposals/P-2026-014".into(),
        by: by.into(),
        earlier_by: earlier_by.into(),
        counts,
    }
}

pub fn outcome_stated() -> OutcomeStated {
    OutcomeStated {
        to: addressee(),
        title: "Raise the fair-use allowance of the Small tier".into(),
        statement: "The allowance rises to 40 hours from January; the tier page changes this week."
            .into(),
        by: "marta".into(),
        record_link: "https://plenary.coop.example/proposals/P-2026-014/record".into(),
    }
}

pub fn application_received() -> ApplicationReceived {
    ApplicationReceived {
        to: addressee(),
        applicant: "Cooperativa de Cures".into(),
        proposal_link: "https://plenary.coop.example/proposals/P-2026-015".into(),
    }
}

pub fn membership_changed(organisation: &str) -> MembershipChanged {
    MembershipChanged {
        to: addressee(),
        organisation: organisation.into(),
        status: "member (producer)".into(),
        effective: "2027-01-01".into(),
    }
}
