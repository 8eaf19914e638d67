//! The members' pages: the register with its structure diagram, the
//! proposals, a proposal with its ballot forms, and casting a ballot. They
//! call the consortium's procedures exactly as the API does, so a ballot
//! for an organisation the person does not represent is refused there.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use consortium::{ProposalView, Voter};
use governance::proposal::{Ballot, Choice, Kind, Position};
use serde::Deserialize;
use store::{Act, Organisation};

use super::PortalState;
use super::diagram;
use super::page::{Nav, PageError, PageResult, download, render};
use super::session::Viewer;
use super::when::{iso, remaining, utc};
use super::who::Names;
use crate::api::{Caller, Problem};

/// Roles that cast an organisation's ballot.
/// A proposal closing within this is "closing soon".
const SOON_MS: i64 = 2 * 86_400_000;

#[derive(Template)]
#[template(path = "portal/register.html")]
struct RegisterPage {
    nav: Option<Nav>,
    members: Vec<Organisation>,
    others: Vec<Organisation>,
    contributions: Vec<consortium::Contributed>,
    diagram: String,
}

pub async fn register(State(state): State<PortalState>, viewer: Viewer) -> PageResult {
    let orgs = state
        .api
        .consortium
        .by(viewer.actor(), (state.api.clock)())
        .organisations()
        .await?;
    let contributions = state.api.consortium.contributions(None).await?;
    let diagram = diagram::structure(&orgs);
    let (members, others) = orgs
        .into_iter()
        .partition(|o| matches!(o.status.as_str(), "member" | "leaving"));
    Ok(render(
        StatusCode::OK,
        &RegisterPage {
            nav: Some(viewer.nav()),
            members,
            others,
            contributions,
            diagram,
        },
    ))
}

/// A proposal in a list.
pub struct Line {
    pub id: i64,
    pub title: String,
    pub purpose: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "portal/proposals.html")]
struct ProposalsPage {
    nav: Option<Nav>,
    closing_soon: Vec<Line>,
    open: Vec<Line>,
    closed: Vec<Line>,
}

/// The open proposals split into closing soon and the rest, and the
/// closed ones, newest first.
pub async fn proposal_lines(state: &PortalState) -> PageResult<(Vec<Line>, Vec<Line>, Vec<Line>)> {
    let now = (state.api.clock)();
    let mut all = state.api.consortium.list().await?;
    all.sort_by_key(|p| std::cmp::Reverse(p.id));
    let (mut soon, mut open, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for p in all {
        let line = |when: String| Line {
            id: p.id,
            title: p.title.clone(),
            purpose: p.purpose.replace('_', " "),
            when,
        };
        match (p.state.as_str(), p.closes_at) {
            ("open", Some(at)) if at - now <= SOON_MS => {
                soon.push(line(format!("closes in {}", remaining(at, now))));
            }
            ("open", at) => open.push(line(format!("closes {}", at.map(utc).unwrap_or_default()))),
            ("closed" | "withdrawn", _) => closed.push(line(format!(
                "{} {}",
                p.state,
                p.closed_at.map(utc).unwrap_or_default()
            ))),
            _ => {}
        }
    }
    Ok((soon, open, closed))
}

pub async fn proposals(State(state): State<PortalState>, viewer: Viewer) -> PageResult {
    let (closing_soon, open, closed) = proposal_lines(&state).await?;
    Ok(render(
        StatusCode::OK,
        &ProposalsPage {
            nav: Some(viewer.nav()),
            closing_soon,
            open,
            closed,
        },
    ))
}

/// One organisation on the roll, as the page lists it.
pub struct RollRow {
    pub org: String,
    pub class: String,
    pub weight: i64,
    pub voted: bool,
}

/// A ballot form for one organisation the viewer votes for.
pub struct BallotForm {
    pub org: String,
    pub voted: bool,
    pub room: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/proposal.html")]
struct ProposalPage {
    nav: Option<Nav>,
    p: ProposalView,
    kind: &'static str,
    state_label: String,
    rules: Vec<(&'static str, String)>,
    closes_iso: String,
    closes_utc: String,
    closes_ms: i64,
    now_ms: i64,
    left: String,
    roll: Vec<RollRow>,
    turnout: String,
    forms: Vec<BallotForm>,
    options: Vec<(usize, String)>,
    score_range: (i32, i32),
    max_choices: usize,
    result: Option<String>,
    cast: Option<String>,
    /// A closed proposal's record recounted as the page is shown: the ballots
    /// matched, or why the recount fails.
    recount: Option<Result<usize, String>>,
    /// The proposal's topic on the forum, once it has opened there.
    forum_topic: Option<String>,
    csrf: String,
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Consent => "consent",
        Kind::SingleChoice => "single",
        Kind::MultipleChoice { .. } => "multiple",
        Kind::Ranked { .. } => "ranked",
        Kind::Score { .. } => "score",
    }
}

/// The organisations `caller` casts ballots for on this roll.
fn votes_for<'a>(caller: &Caller, view: &'a ProposalView) -> Vec<&'a str> {
    view.roll
        .iter()
        .map(|l| l.org.as_str())
        .filter(|org| caller.as_actor().speaks_for(org))
        .collect()
}

#[derive(Deserialize)]
pub struct Cast {
    cast: Option<String>,
}

/// Recounts the record of a closed proposal as `plenary proposal recount`
/// does; a record that does not recount is shown, not hidden behind an error.
async fn recount_now(
    consortium: &consortium::Consortium,
    id: i64,
) -> PageResult<Result<usize, String>> {
    let record = consortium.record(id).await?;
    Ok(match consortium.recount(&record).await {
        Ok(matched) => Ok(matched),
        Err(consortium::ConsortiumError::Refused(why)) => Err(why),
        Err(e) => return Err(e.into()),
    })
}

/// The record of a closed proposal, to keep and recount anywhere: the file
/// `plenary proposal export` writes.
pub async fn record(
    State(state): State<PortalState>,
    _: Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    let record = state.api.consortium.record(id).await?;
    let body = serde_json::to_string_pretty(&record).map_err(|e| Problem::internal(&e))?;
    Ok(download(
        body,
        "application/json",
        &format!("proposal-{id}-record.json"),
    ))
}

pub async fn proposal(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<Cast>,
) -> PageResult {
    let consortium = &state.api.consortium;
    let mut p = consortium.view(id).await?;
    named(&mut p, &Names::of_people(consortium.store()).await?);
    let now = (state.api.clock)();
    let closes_ms = p.closes_at_ms.unwrap_or_default();
    let voted_weight: i64 = p
        .roll
        .iter()
        .filter(|l| p.voted.contains(&l.org))
        .map(|l| l.weight)
        .sum();
    let all_weight: i64 = p.roll.iter().map(|l| l.weight).sum();
    let roll = p
        .roll
        .iter()
        .map(|l| RollRow {
            org: l.org.clone(),
            class: l.class.clone(),
            weight: l.weight,
            voted: p.voted.contains(&l.org),
        })
        .collect();
    let forms = if p.state == "open" {
        votes_for(&viewer.caller, &p)
            .into_iter()
            .map(|org| BallotForm {
                org: org.to_owned(),
                voted: p.voted.iter().any(|v| v == org),
                room: consortium.room_link(id, org),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (score_range, max_choices) = match p.kind {
        Kind::Score { min, max } => ((min, max), 0),
        Kind::MultipleChoice { max_choices } => ((0, 0), max_choices),
        _ => ((0, 0), 0),
    };
    let rules = vec![
        ("Shortest voting time", p.rules.min_lead_time.to_string()),
        (
            "Quorum",
            format!("{} of the eligible vote weight", p.rules.quorum),
        ),
        ("To pass", p.rules.threshold.to_string()),
        (
            "A block",
            if p.rules.block_stops {
                "stops the proposal"
            } else {
                "counts as disagreement"
            }
            .into(),
        ),
        (
            "Results",
            if p.rules.hide_results_until_close {
                "hidden until the close"
            } else {
                "shown while open"
            }
            .into(),
        ),
        (
            "Minutes",
            if p.rules.require_minutes {
                "every ballot links to the organisation's minutes"
            } else {
                "not required"
            }
            .into(),
        ),
    ];
    let result = p
        .tally
        .as_ref()
        .map(|t| consortium::statement(t, &p.options));
    let recount = if p.state == "closed" {
        Some(recount_now(consortium, id).await?)
    } else {
        None
    };
    let page = ProposalPage {
        nav: Some(viewer.nav()),
        recount,
        kind: kind_name(&p.kind),
        state_label: match p.state.as_str() {
            "open" => "Open for ballots".into(),
            "closed" => "Closed".into(),
            "draft" => "Draft".into(),
            other => other.replace('_', " "),
        },
        rules,
        closes_iso: iso(closes_ms),
        closes_utc: utc(closes_ms),
        closes_ms,
        now_ms: now,
        left: remaining(closes_ms, now),
        roll,
        turnout: format!("{voted_weight} of {all_weight} votes cast"),
        forms,
        options: p.options.iter().cloned().enumerate().collect(),
        score_range,
        max_choices,
        result,
        cast: q.cast.filter(|c| p.voted.contains(c)),
        forum_topic: state
            .api
            .discourse
            .as_ref()
            .filter(|_| p.state != "draft")
            .map(|d| d.topic_url(&consortium::external_id(p.id))),
        csrf: viewer.csrf.clone(),
        p,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A proposal's author, its statement's writer and its ballots' casters
/// by name rather than actor ID.
fn named(p: &mut ProposalView, names: &Names) {
    p.author = names.name(&p.author);
    if let Some(s) = &mut p.statement {
        s.by = names.name(&s.by);
    }
    for r in &mut p.replacements {
        r.by = names.name(&r.by);
        r.earlier_by = names.name(&r.earlier_by);
    }
}

/// The fields of a posted form, repeated keys kept.
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of `key`, trimmed; none when it is missing or blank.
    pub(super) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    pub(super) fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn index(text: &str) -> Result<usize, PageError> {
    text.parse()
        .map_err(|_| PageError::bad_request(format!("`{text}` is not an option")))
}

/// The ballot a form describes, for a proposal of `kind` with `n` options.
fn ballot_from(fields: &Fields, kind: &Kind, n: usize) -> Result<Ballot, PageError> {
    let choice = if fields.one("abstain").is_some() {
        Choice::Abstain
    } else {
        match kind {
            Kind::Consent => {
                let position = match fields.one("position") {
                    Some("agree") => Position::Agree,
                    Some("abstain") => Position::Abstain,
                    Some("disagree") => Position::Disagree,
                    Some("block") => Position::Block,
                    _ => {
                        return Err(PageError::bad_request(
                            "choose agree, abstain, disagree or block",
                        ));
                    }
                };
                Choice::Consent {
                    position,
                    reason: fields.one("reason").map(str::to_owned),
                }
            }
            Kind::SingleChoice => {
                Choice::Single(index(fields.one("option").ok_or_else(|| {
                    PageError::bad_request("choose an option, or abstain")
                })?)?)
            }
            Kind::MultipleChoice { .. } => {
                Choice::Multiple(fields.all("option").map(index).collect::<Result<_, _>>()?)
            }
            Kind::Ranked { .. } => {
                let mut ranked = Vec::new();
                for i in 0..n {
                    if let Some(rank) = fields.one(&format!("rank_{i}")) {
                        let rank: u32 = rank.parse().map_err(|_| {
                            PageError::bad_request(
                                "a rank is a whole number, 1 for the first choice",
                            )
                        })?;
                        ranked.push((rank, i));
                    }
                }
                ranked.sort_unstable();
                Choice::Ranking(ranked.into_iter().map(|(_, i)| i).collect())
            }
            Kind::Score { .. } => Choice::Scores(
                (0..n)
                    .map(|i| {
                        fields
                            .one(&format!("score_{i}"))
                            .unwrap_or("")
                            .parse()
                            .map_err(|_| PageError::bad_request("give every option a score"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        }
    };
    Ok(Ballot {
        choice,
        minutes_link: fields.one("minutes_link").map(str::to_owned),
    })
}

pub async fn vote(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path((id, org)): Path<(i64, String)>,
    body: Bytes,
) -> PageResult {
    let fields = Fields::parse(&body);
    viewer.check_csrf(fields.one("csrf"))?;
    let consortium = &state.api.consortium;
    let view = consortium.view(id).await?;
    let ballot = ballot_from(&fields, &view.kind, view.options.len())?;
    let voter: Voter = viewer.caller.voter();
    let act = Act::new(viewer.caller.actor(), (state.api.clock)());
    consortium.vote(id, &org, &voter, ballot, &act).await?;
    let to = format!("/portal/proposals/{id}?cast={org}#ballot");
    Ok(Redirect::to(&to).into_response())
}

/// Every organisation's page is for its own people and the operators.
pub fn may_see_org(caller: &Caller, org: &str) -> Result<(), PageError> {
    if caller.is_operator() || caller.belongs_to(org) {
        Ok(())
    } else {
        Err(PageError::forbidden(format!(
            "only {org}'s own people and the operators may see this page"
        )))
    }
}

#[derive(Template)]
#[template(path = "portal/organisation.html")]
struct OrganisationPage {
    nav: Option<Nav>,
    org: Organisation,
    people: Vec<(String, String, String)>,
    /// Whether the viewer may open the organisation's own pages (its
    /// admin, or an operator).
    admin: bool,
}

pub async fn organisation(
    State(state): State<PortalState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    may_see_org(&viewer.caller, &name)?;
    let admin = super::organisation::check(viewer.actor(), &name).is_ok();
    let store = state.api.consortium.store();
    let org = store.organisation(&name).await?;
    let people = store
        .representatives(org.id)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.person.display_name,
                r.person.email,
                r.role.as_str().to_string(),
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &OrganisationPage {
            nav: Some(viewer.nav()),
            org,
            people,
            admin,
        },
    ))
}

/// A response for routes the portal does not have.
pub async fn not_found() -> Response {
    PageError::not_found("there is no such page in the portal").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranked_form_orders_options_by_their_rank_and_skips_blanks() {
        let f = Fields::parse(b"csrf=x&rank_0=2&rank_1=&rank_2=1");
        let b = ballot_from(&f, &Kind::Ranked { seats: 1 }, 3).unwrap();
        assert_eq!(b.choice, Choice::Ranking(vec![2, 0]));
    }

    #[test]
    fn a_consent_form_keeps_its_reason() {
        let f = Fields::parse(b"position=disagree&reason=Not+yet");
        let b = ballot_from(&f, &Kind::Consent, 0).unwrap();
        assert_eq!(
            b.choice,
            Choice::Consent {
                position: Position::Disagree,
                reason: Some("Not yet".into())
            }
        );
    }

    #[test]
    fn a_form_without_a_position_is_refused() {
        let f = Fields::parse(b"reason=x");
        assert!(ballot_from(&f, &Kind::Consent, 0).is_err());
    }
}
