//! Consortium governance as plain functions over plain data: no I/O, no
//! database, no clock. Instants are UTC Unix milliseconds (`i64`) passed
//! in by the caller; shares are integer basis points; counts are exact.
//!
//! # Where things are
//!
//! - [`membership`]: organisation kinds, vote weights, the membership
//!   state machine ([`membership::apply`]), and the consortium's standing
//!   rules ([`membership::ConsortiumRules`]).
//! - [`proposal`]: what is decided ([`proposal::Proposal`], its
//!   [`proposal::Kind`] and [`proposal::Rules`]), ballot validation, and the
//!   lifecycle draft → open → closed / withdrawn with the minimum lead time
//!   ([`proposal::Schedule::new`], [`proposal::can_close`],
//!   [`proposal::close`], [`proposal::check_voting_open`]).
//! - [`roll`]: the eligible roll frozen at opening
//!   ([`roll::freeze_roll`]), casting a ballot ([`roll::Voting::cast`]) and
//!   picking each organisation's latest revision.
//! - [`tally`]: [`tally::tally`] and its result, with what each threshold is
//!   a share of.
//! - [`record`]: the proposal fingerprint and the result export, with
//!   [`record::recompute`] and [`record::verify`].
//! - [`amendment`]: which rules a change touches, the threshold a
//!   rules-change decision must meet, and what an operator may set alone.
//! - [`college`]: individual members' voting, each alone or as one
//!   college whose weight is shared exactly among its voters.
//! - [`contribution`]: hours, money and servers members give, checked.
//! - [`blt`]: the ballot file of a ranked proposal, for any STV tool.
//! - [`share`], [`time`], [`fraction`]: basis points and exact ratios,
//!   durations and readable timestamps, exact fractions for STV.
//!
//! # The flow a caller follows
//!
//! ```
//! use governance::membership::{ConsortiumRules, OrgKind, Status};
//! use governance::proposal::{self, Ballot, Choice, Kind, Position, Proposal, Schedule, State};
//! use governance::roll::{Caster, RegisterEntry, Voting, freeze_roll};
//! use governance::{record, tally};
//!
//! const DAY: i64 = 86_400_000;
//! let now = 1_767_225_600_000; // 2026-01-01 00:00 UTC, from the caller's clock
//! let rules = ConsortiumRules::default();
//! let register: Vec<RegisterEntry> = ["Alpha", "Beta", "Gamma"]
//!     .into_iter()
//!     .map(|org| RegisterEntry {
//!         org: org.into(),
//!         kind: OrgKind::Organisation,
//!         class: "consumer".into(),
//!         status: Status::Member { since: now - 90 * DAY },
//!         weight: rules.vote_weight(OrgKind::Organisation),
//!     })
//!     .collect();
//!
//! // Create and open: freeze the rules, the roll and the fingerprint together.
//! let p = Proposal {
//!     title: "Adopt the fair-use policy".into(),
//!     text: "The policy as circulated.".into(),
//!     kind: Kind::Consent,
//!     options: vec![],
//!     rules: rules.proposal_rules(),
//!     amends: None,
//! };
//! p.validate()?;
//! rules.check_proposal_rules(&p.rules)?;
//! let schedule = Schedule::new(now, now, now + 7 * DAY, &p.rules)?;
//! let state = proposal::open(State::Draft, schedule)?;
//! let roll = freeze_roll(&register, schedule.opens_at, &rules)?;
//! let fingerprint = record::fingerprint(&p, &roll, schedule);
//!
//! // Cast: the returned record is what to store.
//! let voting = Voting { proposal: &p, state, roll: &roll, last_text_change_at: None };
//! let agree = Ballot {
//!     choice: Choice::Consent { position: Position::Agree, reason: None },
//!     minutes_link: None,
//! };
//! let mut stored = Vec::new();
//! for org in ["Alpha", "Beta"] {
//!     stored.push(voting.cast(&stored, org, Caster::Delegate, agree.clone(), now + DAY)?);
//! }
//!
//! // Close (refused before the deadline), count, publish.
//! assert!(proposal::close(state, now + DAY, None, &p.rules).is_err());
//! proposal::close(state, now + 7 * DAY, None, &p.rules)?;
//! let result = tally::tally(&p, &roll, &stored)?;
//! assert_eq!(result.outcome, tally::Outcome::Passed);
//! let export = record::export(&p, schedule, &roll, &stored)?;
//! assert_eq!(export.fingerprint, fingerprint);
//! record::verify(&export)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every error is a typed enum with a message meant for people; none of
//! these functions panics on any input.

pub mod amendment;
pub mod blt;
pub mod college;
pub mod contribution;
pub mod fraction;
pub mod membership;
pub mod proposal;
pub mod record;
pub mod roll;
mod schema;
pub mod share;
pub mod tally;
pub mod time;
