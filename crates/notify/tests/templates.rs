//! Each notification as the recipient reads it.

mod common;

use notify::Notification;

fn rendered(n: &impl Notification) -> String {
    format!("Subject: {}\n\n{}", n.subject(), n.body())
}

#[test]
fn proposal_opened_reads_well() {
    insta::assert_snapshot!(rendered(&common::proposal_opened()));
}

#[test]
fn proposal_opened_without_a_meeting_room_leaves_the_room_out() {
    let n = notify::ProposalOpened {
        meeting_room: None,
        ..common::proposal_opened()
    };
    insta::assert_snapshot!(rendered(&n));
}

#[test]
fn reminder_reads_well() {
    insta::assert_snapshot!(rendered(&common::reminder()));
}

#[test]
fn outcome_reads_well() {
    insta::assert_snapshot!(rendered(&common::outcome()));
}

#[test]
fn a_replaced_ballot_reads_well() {
    insta::assert_snapshot!(rendered(&common::ballot_replaced(true)));
}

#[test]
fn a_deputy_s_ballot_that_does_not_count_says_why() {
    insta::assert_snapshot!(rendered(&common::ballot_replaced(false)));
}

#[test]
fn an_outcome_statement_reads_well() {
    insta::assert_snapshot!(rendered(&common::outcome_stated()));
}

#[test]
fn application_received_reads_well() {
    insta::assert_snapshot!(rendered(&common::application_received()));
}

#[test]
fn membership_changed_of_another_organisation_reads_well() {
    insta::assert_snapshot!(rendered(&common::membership_changed(
        "Cooperativa de Cures"
    )));
}

#[test]
fn membership_changed_of_the_addressee_says_it_is_its_own() {
    insta::assert_snapshot!(rendered(&common::membership_changed("Ateneu Popular")));
}

#[test]
fn every_body_names_the_organisation_and_why_it_receives_it() {
    let bodies = [
        common::proposal_opened().body(),
        common::reminder().body(),
        common::outcome().body(),
        common::application_received().body(),
        common::membership_changed("Cooperativa de Cures").body(),
    ];
    for body in bodies {
        assert!(body.starts_with("Hello Ateneu Popular,\n"), "{body}");
        assert!(body.contains("You receive this message because "), "{body}");
    }
}

#[test]
fn proposal_changed_reads_well() {
    let n = notify::ProposalChanged {
        to: common::reminder().to,
        title: "Raise the fair-use allowance of the Small tier".into(),
        changed_at: "2026-12-03 09:30 UTC".into(),
        closes_at: "2026-12-10 09:30 UTC".into(),
        link: "https://plenary.coop.example/proposals/P-2026-014".into(),
        fingerprint: "91107cb07d6df05c7e60568f3d4f1030355c3a3af65362b78c8e02dd6d5d5bd1".into(),
    };
    insta::assert_snapshot!(rendered(&n));
}

fn access_link(purpose: notify::AccessPurpose) -> notify::AccessLink {
    notify::AccessLink {
        to: notify::Addressee {
            organisation: "Núria Puig".into(),
            consortium: "Xarxa de Videoconferència".into(),
        },
        purpose,
        link: "https://plenary.example/portal/link/0123abcd".into(),
        valid_minutes: 15,
    }
}

#[test]
fn a_sign_in_link_reads_well() {
    insta::assert_snapshot!(rendered(&access_link(notify::AccessPurpose::SignIn)));
}

#[test]
fn a_password_reset_link_reads_well() {
    insta::assert_snapshot!(rendered(&access_link(notify::AccessPurpose::PasswordReset)));
}
