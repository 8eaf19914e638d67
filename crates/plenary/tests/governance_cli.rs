//! The consortium on the command line: a real `plenary` process on a fresh
//! database, the way an operator and the members' delegates use it.

fn cli() -> testkit::Cli {
    testkit::Cli::new(env!("CARGO_BIN_EXE_plenary"))
}

/// Founders alpha (producer) and beta, a federation of weight 2, ada as
/// alpha's delegate; returns ada's token.
fn founders(cli: &testkit::Cli) -> String {
    cli.ok(&["org", "add", "alpha", "--member", "--class", "producer"]);
    cli.ok(&["org", "add", "beta", "--member"]);
    cli.ok(&[
        "org",
        "add",
        "fed",
        "--member",
        "--federation",
        "--weight",
        "2",
    ]);
    cli.ok(&["person", "add", "ada", "--email", "ada@alpha.example"]);
    cli.ok(&["org", "represent", "alpha", "ada"]);
    cli.ok(&["token", "add", "--person", "ada"])
        .trim()
        .to_string()
}

#[test]
fn variables_plenary_reads_itself_are_not_taken_for_settings() {
    let cli = cli();
    let token = founders(&cli);
    let env = [
        ("PLENARY_LOG", "info"),
        ("PLENARY_TOKEN", token.as_str()),
        ("PLENARY_ACTOR", "ops-bot"),
    ];
    let listed = cli.ok_with(&["org", "list"], &env);
    assert!(listed.contains("alpha"), "{listed}");
}

#[test]
fn a_token_that_names_nobody_is_refused_with_a_readable_message() {
    let cli = cli();
    let refused = cli.fails_with(&["org", "list"], &[("PLENARY_TOKEN", "x")]);
    assert!(refused.contains("PLENARY_TOKEN"), "{refused}");
}

#[test]
fn an_application_is_voted_on_with_a_delegate_s_token() {
    let cli = cli();
    let token = founders(&cli);
    let applied = cli.ok(&[
        "org",
        "apply",
        "delta",
        "--legal-name",
        "Delta School",
        "--statement",
        "We teach.",
    ]);
    assert!(
        applied.contains("Proposal 1 to admit it is open until"),
        "{applied}"
    );
    let as_ada = [("PLENARY_TOKEN", token.as_str())];
    let voted = cli.ok_with(
        &["proposal", "vote", "1", "--org", "alpha", "agree"],
        &as_ada,
    );
    assert!(voted.contains("alpha's ballot on proposal 1 is recorded"));
    let changed = cli.ok_with(
        &[
            "proposal", "vote", "1", "--org", "alpha", "disagree", "--reason", "not yet",
        ],
        &as_ada,
    );
    assert!(changed.contains("replacing its earlier ballot"));
    let show = cli.ok(&["proposal", "show", "1"]);
    assert!(show.contains("alpha (weight 1, producer): voted"), "{show}");
    assert!(
        show.contains("fed (weight 2, consumer): not yet voted"),
        "{show}"
    );
    assert!(!show.contains("delta (weight"), "the applicant has no vote");
    let early = cli.fails(&["proposal", "close", "1"]);
    assert!(
        early.contains("too early") && early.contains("may close from"),
        "{early}"
    );
    let export = cli.fails(&["proposal", "export", "1"]);
    assert!(export.contains("exported once it closes"), "{export}");
    let duties = cli.ok(&["duties"]);
    assert!(
        duties.starts_with("Reminded 0 proposals, closed 0"),
        "nothing is due yet: {duties}"
    );
    assert!(cli.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn a_delegate_votes_only_for_its_own_organisation_and_operators_never() {
    let cli = cli();
    let token = founders(&cli);
    cli.ok(&["org", "apply", "delta"]);
    let other = cli.fails_with(
        &["proposal", "vote", "1", "--org", "beta", "agree"],
        &[("PLENARY_TOKEN", &token)],
    );
    assert!(
        other.contains("ada is not the delegate or a deputy of beta"),
        "{other}"
    );
    let operator = cli.ok(&["token", "add", "--operator"]).trim().to_string();
    let by_operator = cli.fails_with(
        &["proposal", "vote", "1", "--org", "alpha", "agree"],
        &[("PLENARY_TOKEN", &operator)],
    );
    assert!(
        by_operator.contains("operators cannot vote"),
        "{by_operator}"
    );
    let unknown = cli.fails_with(
        &["proposal", "vote", "1", "--org", "alpha", "agree"],
        &[("PLENARY_TOKEN", "pl_guess")],
    );
    assert!(unknown.contains("not a valid token"), "{unknown}");
}

#[test]
fn bad_register_and_ballot_input_gets_a_readable_message() {
    let cli = cli();
    let token = founders(&cli);
    let class = cli.fails(&["org", "add", "x", "--member", "--class", "investor"]);
    assert!(
        class.contains("\"investor\" is not a member class"),
        "{class}"
    );
    let weight = cli.fails(&["org", "add", "y", "--member", "--weight", "2"]);
    assert!(
        weight.contains("1"),
        "an organisation's weight is 1: {weight}"
    );
    cli.ok(&["org", "apply", "delta"]);
    let choice = cli.fails_with(
        &["proposal", "vote", "1", "--org", "alpha", "maybe"],
        &[("PLENARY_TOKEN", &token)],
    );
    assert!(
        choice.contains("agree, abstain, disagree or block"),
        "{choice}"
    );
    let block = cli.fails_with(
        &["proposal", "vote", "1", "--org", "alpha", "block"],
        &[("PLENARY_TOKEN", &token)],
    );
    assert!(block.to_lowercase().contains("reason"), "{block}");
    let customer = cli.fails(&["org", "add", "z", "--class", "producer"]);
    assert!(customer.contains("add --member"), "{customer}");
    let quorum = cli.fails(&["rules", "set", "--quorum", "120"]);
    assert!(quorum.contains("more than 100 %"), "{quorum}");
}

#[test]
fn rules_set_the_lead_time_of_new_proposals() {
    let cli = cli();
    let set = cli.ok(&["rules", "set", "--lead-days", "10", "--threshold", ">=75"]);
    assert!(
        set.contains("10 days") && set.contains("at least 75 %"),
        "{set}"
    );
    founders(&cli);
    let drafted = cli.ok(&[
        "proposal",
        "new",
        "--title",
        "Fair use",
        "--text",
        "As circulated.",
    ]);
    assert!(drafted.contains("Proposal 1 drafted"));
    let short = cli.fails(&[
        "proposal",
        "new",
        "--title",
        "Rush",
        "--text",
        "t",
        "--lead-days",
        "3",
    ]);
    assert!(
        short.contains("shorter than the consortium's minimum"),
        "{short}"
    );
    let opened = cli.ok(&["proposal", "open", "1"]);
    assert!(opened.contains("3 organisations may vote"), "{opened}");
    let show = cli.ok(&["proposal", "show", "1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(
        v["closes_at_ms"].as_i64().unwrap() - v["opened_at_ms"].as_i64().unwrap(),
        10 * 86_400_000
    );
}

#[test]
fn a_file_that_is_not_a_record_is_refused_plainly() {
    let cli = cli();
    let file = cli.dir.path().join("notes.json");
    std::fs::write(&file, r#"{"minutes": "we agreed"}"#).unwrap();
    let refused = cli.fails(&["proposal", "recount", file.to_str().unwrap()]);
    assert!(
        refused.contains("not a record written by `plenary proposal export`"),
        "{refused}"
    );
}

#[test]
fn applying_again_keeps_the_legal_name_and_contact_of_an_existing_organisation() {
    let cli = cli();
    founders(&cli);
    cli.ok(&[
        "org",
        "add",
        "radio",
        "--legal-name",
        "Community Radio Co-op",
        "--contact",
        "board@radio.example",
    ]);
    cli.ok(&["org", "apply", "radio"]);
    let radio: serde_json::Value =
        serde_json::from_str(&cli.ok(&["org", "show", "radio", "--json"])).unwrap();
    assert_eq!(radio["legal_name"], "Community Radio Co-op");
    assert_eq!(radio["contact"], "board@radio.example");
    assert_eq!(radio["status"], "applicant");
}

#[test]
fn a_member_class_still_held_cannot_be_removed_from_the_rules() {
    let cli = cli();
    founders(&cli);
    let propose = [
        "rules",
        "propose",
        "--title",
        "One class",
        "--classes",
        "consumer",
    ];
    let refused = cli.fails(&propose);
    assert!(
        refused.contains("the member class \"producer\" cannot be removed while alpha hold it"),
        "{refused}"
    );
    assert!(cli.ok(&["rules", "show"]).contains("consumer, producer"));
    cli.ok(&["org", "set", "alpha", "--class", "consumer"]);
    assert!(cli.ok(&propose).contains("Proposal 1 drafted"));
}

#[test]
fn the_register_records_legal_forms_and_the_rules_name_those_that_may_apply() {
    let cli = cli();
    cli.ok(&["rules", "set", "--legal-forms", "co-operative,association"]);
    founders(&cli);
    cli.ok(&["org", "add", "shop", "--legal-form", "company"]);
    let shown = cli.ok(&["org", "show", "shop"]);
    assert!(shown.contains("legal form:   company"), "{shown}");
    cli.ok(&["org", "set", "shop", "--legal-form", "co-operative"]);
    let listed: serde_json::Value =
        serde_json::from_str(&cli.ok(&["org", "list", "--json"])).unwrap();
    let shop = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "shop")
        .unwrap();
    assert_eq!(shop["legal_form"], "co-operative");
    assert!(cli.ok(&["org", "list"]).contains("LEGAL FORM"));
    let audit = cli.ok(&["audit", "list", "--subject", "org:shop"]);
    assert!(
        audit.contains("\"legal_form\":\"co-operative\""),
        "the change is audited: {audit}"
    );
    assert!(
        cli.fails(&["org", "add", "x", "--legal-form", "plc"])
            .contains("\"plc\" is not a legal form")
    );

    assert!(
        cli.ok(&["rules", "show"])
            .contains("legal forms:        co-operative, association")
    );
    let refused = cli.fails(&["org", "apply", "radio", "--legal-form", "company"]);
    assert!(
        refused.contains(
            "the membership rules admit only co-operative, association; this organisation is a company"
        ),
        "{refused}"
    );
    assert!(cli.fails(&["org", "show", "radio"]).contains("not found"));
    cli.ok(&["org", "apply", "radio", "--legal-form", "association"]);
    cli.ok(&["org", "apply", "shop"]);
    let imposed = cli.fails(&["rules", "set", "--legal-forms", "all"]);
    assert!(
        imposed.contains("admitted legal forms can change only by a decision"),
        "{imposed}"
    );
}

/// The command line at a moment of the story (`PLENARY_NOW`), as `who`.
fn at<'a>(when: &'a str, token: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("PLENARY_NOW", when)];
    env.extend(token.map(|t| ("PLENARY_TOKEN", t)));
    env
}

const OPENS: &str = "2027-01-04T09:00:00Z";
const VOTES: &str = "2027-01-05T09:00:00Z";
const CLOSES: &str = "2027-01-11T09:00:00Z";

/// Tokens of the delegates of beta and fed, besides ada's for alpha.
fn delegates(cli: &testkit::Cli) -> [String; 3] {
    let ada = founders(cli);
    let mut tokens = [ada, String::new(), String::new()];
    for (i, org) in ["beta", "fed"].into_iter().enumerate() {
        let name = format!("{org}-delegate");
        cli.ok(&[
            "person",
            "add",
            &name,
            "--email",
            &format!("{name}@x.example"),
        ]);
        cli.ok(&["org", "represent", org, &name]);
        tokens[i + 1] = cli
            .ok(&["token", "add", "--person", &name])
            .trim()
            .to_string();
    }
    tokens
}

#[test]
fn a_rules_change_lowering_the_quorum_passes_and_applies_at_close_while_rules_set_is_refused() {
    let cli = cli();
    let tokens = delegates(&cli);
    let imposed = cli.fails(&["rules", "set", "--quorum", "25"]);
    assert!(
        imposed.contains("quorum can change only by a decision"),
        "{imposed}"
    );
    let drafted = cli.ok_with(
        &[
            "rules",
            "propose",
            "--title",
            "Quorum of a quarter",
            "--quorum",
            "25",
        ],
        &at(OPENS, None),
    );
    assert!(drafted.contains("threshold at least 75 %"), "{drafted}");
    cli.ok_with(&["proposal", "open", "1"], &at(OPENS, None));
    for (token, org) in tokens.iter().zip(["alpha", "beta", "fed"]) {
        cli.ok_with(
            &["proposal", "vote", "1", "--org", org, "agree"],
            &at(VOTES, Some(token)),
        );
    }
    assert!(
        cli.ok(&["rules", "show"])
            .contains("quorum:             50 %")
    );
    let closed = cli.ok_with(&["proposal", "close", "1"], &at(CLOSES, None));
    assert!(closed.contains("closed: passed"), "{closed}");
    assert!(
        cli.ok(&["rules", "show"])
            .contains("quorum:             25 %")
    );
    let audit = cli.ok(&["audit", "list", "--subject", "rules"]);
    assert!(audit.contains("rules.amend"), "{audit}");
}

#[test]
fn a_deputy_votes_then_the_delegate_and_the_delegate_s_ballot_counts() {
    let cli = cli();
    let [ada, ..] = delegates(&cli);
    cli.ok(&["person", "add", "bea", "--email", "bea@alpha.example"]);
    cli.ok(&["org", "represent", "alpha", "bea", "--role", "deputy"]);
    let bea = cli
        .ok(&["token", "add", "--person", "bea"])
        .trim()
        .to_string();
    cli.ok_with(
        &[
            "proposal",
            "new",
            "--title",
            "Fair use",
            "--text",
            "As circulated.",
        ],
        &at(OPENS, None),
    );
    cli.ok_with(&["proposal", "open", "1"], &at(OPENS, None));
    cli.ok_with(
        &[
            "proposal", "vote", "1", "--org", "alpha", "disagree", "--reason", "cost",
        ],
        &at(VOTES, Some(&bea)),
    );
    cli.ok_with(
        &["proposal", "vote", "1", "--org", "alpha", "agree"],
        &at(VOTES, Some(&ada)),
    );
    let show = cli.ok(&["proposal", "show", "1"]);
    assert!(
        show.contains("replacement:  alpha person:ada (delegate)")
            && show.contains("replaced the ballot of person:bea (deputy)"),
        "{show}"
    );
    let view: serde_json::Value =
        serde_json::from_str(&cli.ok(&["proposal", "show", "1", "--json"])).unwrap();
    assert_eq!(view["tally"]["counts"]["consent"]["agree"], 1);
    assert_eq!(view["tally"]["counts"]["consent"]["disagree"], 0);
}

#[test]
fn the_outcome_statement_is_in_the_exported_record_and_recount_verifies() {
    let cli = cli();
    let tokens = delegates(&cli);
    cli.ok_with(
        &[
            "proposal",
            "new",
            "--title",
            "Board",
            "--text",
            "Two seats.",
            "--kind",
            "ranked",
            "--seats",
            "2",
            "--option",
            "Ana",
            "--option",
            "Ben",
            "--option",
            "Cleo",
        ],
        &at(OPENS, None),
    );
    cli.ok_with(&["proposal", "open", "1"], &at(OPENS, None));
    for (token, (org, ranking)) in
        tokens
            .iter()
            .zip([("alpha", "1>2"), ("beta", "3"), ("fed", "2>1")])
    {
        cli.ok_with(
            &["proposal", "vote", "1", "--org", org, ranking],
            &at(VOTES, Some(token)),
        );
    }
    cli.ok_with(&["proposal", "close", "1"], &at(CLOSES, None));
    let stated = cli.ok(&[
        "proposal",
        "outcome",
        "1",
        "--text",
        "Ana and Ben sit from February.",
    ]);
    assert!(
        stated.contains("outcome of proposal 1 is stated"),
        "{stated}"
    );
    let record = cli.ok(&["proposal", "export", "1"]);
    assert!(
        record.contains("Ana and Ben sit from February."),
        "{record}"
    );
    let file = cli.dir.path().join("record.json");
    std::fs::write(&file, record).unwrap();
    let recount = cli.ok(&["proposal", "recount", file.to_str().unwrap()]);
    assert!(recount.contains("all 3 ballots match"), "{recount}");
    let blt = cli.ok(&["proposal", "blt", "1"]);
    assert!(
        blt.starts_with("3 2\n") && blt.contains("\n2 2 1 0\n"),
        "{blt}"
    );
    let calendar = cli.ok(&["org", "calendar", "alpha"]);
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\n"), "{calendar}");
}

/// The audit log's actors, oldest first.
fn actors(cli: &testkit::Cli) -> Vec<String> {
    let list: serde_json::Value =
        serde_json::from_str(&cli.ok(&["audit", "list", "--json"])).unwrap();
    list.as_array()
        .or_else(|| list["rows"].as_array())
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_operator_token_needs_a_name_on_the_command_line_too() {
    let cli = cli();
    let err = cli.fails(&["token", "add", "--operator", "--label", ""]);
    assert!(err.contains("label"), "{err}");
    let err = cli.fails_with(&["token", "add", "--operator"], &[("PLENARY_ACTOR", " ")]);
    assert!(err.contains("PLENARY_ACTOR"), "{err}");
    assert!(actors(&cli).is_empty(), "nothing was made");
}

#[test]
fn an_operator_token_from_the_command_line_is_named_after_its_operator() {
    let cli = cli();
    cli.ok_with(&["token", "add", "--operator"], &[("PLENARY_ACTOR", "kim")]);
    assert_eq!(actors(&cli), ["operator:kim"]);
}

#[test]
fn the_command_line_acts_as_the_person_of_plenary_token() {
    let cli = cli();
    let ada = founders(&cli);
    cli.ok_with(
        &["token", "add", "--label", "laptop"],
        &[("PLENARY_TOKEN", ada.as_str())],
    );
    assert_eq!(actors(&cli).last().unwrap(), "person:ada");
    let err = cli.fails_with(
        &["token", "add", "--operator"],
        &[("PLENARY_TOKEN", ada.as_str())],
    );
    assert!(err.contains("operator"), "{err}");
}

#[test]
fn a_proposal_drafted_and_opened_with_a_delegates_token_is_audited_under_the_delegate() {
    let cli = cli();
    let ada = founders(&cli);
    let as_ada = [("PLENARY_TOKEN", ada.as_str())];
    cli.ok_with(
        &[
            "proposal",
            "new",
            "--title",
            "Buy a server",
            "--text",
            "One more.",
        ],
        &as_ada,
    );
    cli.ok_with(&["proposal", "open", "1"], &as_ada);
    let actors = actors(&cli);
    assert_eq!(actors[actors.len() - 2..], ["person:ada", "person:ada"]);
}

#[test]
fn a_delegate_does_not_see_customers_on_the_command_line() {
    let cli = cli();
    let ada = founders(&cli);
    cli.ok(&["org", "add", "shop"]);
    let as_ada = [("PLENARY_TOKEN", ada.as_str())];
    let listed = cli.ok_with(&["org", "list"], &as_ada);
    assert!(
        listed.contains("alpha") && !listed.contains("shop"),
        "{listed}"
    );
    let shown = cli.fails_with(&["org", "show", "shop"], &as_ada);
    assert!(shown.contains("does not exist"), "{shown}");
    assert!(cli.ok(&["org", "list"]).contains("shop"));
}

#[test]
fn an_individual_member_s_contributions_show_on_the_register() {
    let cli = cli();
    cli.ok(&[
        "rules",
        "set",
        "--classes",
        "consumer,producer,individual",
        "--individuals",
        "individual=college:1/10",
    ]);
    founders(&cli);
    cli.ok(&[
        "org",
        "add",
        "grace",
        "--member",
        "--individual",
        "--class",
        "individual",
    ]);
    let recorded = cli.ok(&[
        "org",
        "contribute",
        "grace",
        "--kind",
        "hours",
        "--amount",
        "12.5",
        "--day",
        "2026-11-30",
        "--note",
        "Moderated the forum",
    ]);
    assert!(
        recorded.contains("grace contributed 12.50 hours"),
        "{recorded}"
    );
    let shown = cli.ok(&["org", "show", "grace"]);
    assert!(shown.contains("kind:         individual"), "{shown}");
    assert!(
        shown.contains("contributed 12.50 hours on 2026-11-30: Moderated the forum"),
        "{shown}"
    );
    let bad = cli.fails(&[
        "org",
        "contribute",
        "alpha",
        "--kind",
        "servers",
        "--amount",
        "1.5",
        "--day",
        "2026-11-30",
        "--note",
        "Half a server",
    ]);
    assert!(bad.contains("is not an amount of servers"), "{bad}");
    assert!(
        cli.ok(&["rules", "show"])
            .contains("individuals:        individual=college:1/10")
    );
    let imposed = cli.fails(&["rules", "set", "--individuals", "none"]);
    assert!(
        imposed.contains("individual members can change only by a decision"),
        "{imposed}"
    );
}
