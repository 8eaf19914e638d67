//! The member register's rules: what an organisation is, how its membership
//! moves from application to leaving, how many votes it carries, and the
//! consortium-wide rules that proposals start from.

use crate::college::IndividualRules;
use crate::proposal::Rules;
use crate::share::{BasisPoints, Threshold};
use crate::time::{DurationMs, format_utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::num::NonZeroU32;
use utoipa::ToSchema;

/// A vote weight, at least 1: an organisation on the roll always counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Weight(NonZeroU32);

/// A weight of zero was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a vote weight is at least 1")]
pub struct ZeroWeight;

impl Weight {
    pub const ONE: Weight = Weight(NonZeroU32::MIN);
    pub const TWO: Weight = Weight(NonZeroU32::MIN.saturating_add(1));

    pub fn new(weight: u32) -> Result<Self, ZeroWeight> {
        NonZeroU32::new(weight).map(Weight).ok_or(ZeroWeight)
    }

    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The weight as a `u64`, the type all weight sums use.
    pub fn units(self) -> u64 {
        u64::from(self.get())
    }
}

impl TryFrom<u32> for Weight {
    type Error = ZeroWeight;
    fn try_from(weight: u32) -> Result<Self, Self::Error> {
        Weight::new(weight)
    }
}

impl From<Weight> for u32 {
    fn from(weight: Weight) -> u32 {
        weight.get()
    }
}

/// Whether a member is a single organisation or a federation of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Organisation,
    Federation,
    /// A person who is a member in their own right.
    Individual,
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrgKind::Organisation => "organisation",
            OrgKind::Federation => "federation",
            OrgKind::Individual => "individual",
        })
    }
}

/// The legal form an organisation has under its own law: what the register
/// records, and what the membership rules may restrict.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LegalForm {
    CoOperative,
    Association,
    Foundation,
    Company,
    PublicBody,
    InformalGroup,
    Federation,
}

impl LegalForm {
    pub const ALL: [LegalForm; 7] = [
        LegalForm::CoOperative,
        LegalForm::Association,
        LegalForm::Foundation,
        LegalForm::Company,
        LegalForm::PublicBody,
        LegalForm::InformalGroup,
        LegalForm::Federation,
    ];

    /// The name the register, the command line and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            LegalForm::CoOperative => "co-operative",
            LegalForm::Association => "association",
            LegalForm::Foundation => "foundation",
            LegalForm::Company => "company",
            LegalForm::PublicBody => "public-body",
            LegalForm::InformalGroup => "informal-group",
            LegalForm::Federation => "federation",
        }
    }
}

impl fmt::Display for LegalForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A legal form name that is not one of [`LegalForm::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a legal form (known: {known})", known = known_forms())]
pub struct UnknownLegalForm(pub String);

fn known_forms() -> String {
    LegalForm::ALL.map(LegalForm::as_str).join(", ")
}

impl std::str::FromStr for LegalForm {
    type Err = UnknownLegalForm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LegalForm::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| UnknownLegalForm(s.to_string()))
    }
}

/// An application from a legal form the membership rules do not admit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegalFormRefused {
    #[error("the membership rules admit only {admitted}; this organisation is a {given}")]
    NotAdmitted { given: LegalForm, admitted: String },
    #[error(
        "the membership rules admit only {admitted}: give the organisation's legal form to apply"
    )]
    Unknown { admitted: String },
}

/// A member class the new rules drop while organisations still hold it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the member class {class:?} cannot be removed while {} hold it: change their class first",
    holders.join(", ")
)]
pub struct ClassHeld {
    pub class: String,
    pub holders: Vec<String>,
}

/// A weight that the rules do not allow for this kind of member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a vote weight of {weight} is not allowed for this {kind} (allowed: {allowed})")]
pub struct WeightError {
    pub kind: OrgKind,
    pub weight: u32,
    pub allowed: &'static str,
}

/// An organisation votes with weight 1; a federation with 1 or 2 (several
/// co-operative laws allow secondary co-operatives plural votes, and the
/// consortium caps it at 2).
pub fn validate_weight(kind: OrgKind, weight: Weight) -> Result<(), WeightError> {
    let (ok, allowed) = match kind {
        OrgKind::Organisation => (weight == Weight::ONE, "1"),
        OrgKind::Federation => (weight <= Weight::TWO, "1 or 2"),
        // The rules give individuals their weight (see `vote_weight`).
        OrgKind::Individual => (true, "any"),
    };
    if ok {
        Ok(())
    } else {
        Err(WeightError {
            kind,
            weight: weight.get(),
            allowed,
        })
    }
}

/// Where an organisation stands in the register. Each state keeps the
/// instants that later rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Applicant {
        applied_at: i64,
    },
    Member {
        since: i64,
    },
    /// Notice given; still a member, with its vote, until `leaves_at`.
    Leaving {
        member_since: i64,
        notice_at: i64,
        leaves_at: i64,
    },
    Left {
        left_at: i64,
    },
    Rejected {
        rejected_at: i64,
    },
    /// The application was withdrawn, or lapsed with nothing decided.
    Withdrawn {
        withdrawn_at: i64,
    },
}

impl Status {
    /// When the organisation entered this state.
    pub fn entered_at(self) -> i64 {
        match self {
            Status::Applicant { applied_at } => applied_at,
            Status::Member { since } => since,
            Status::Leaving { notice_at, .. } => notice_at,
            Status::Left { left_at } => left_at,
            Status::Rejected { rejected_at } => rejected_at,
            Status::Withdrawn { withdrawn_at } => withdrawn_at,
        }
    }

    /// Whether the organisation is a member at `at`: accepted by then, and
    /// not yet past the end of any notice. This is who gets a vote.
    pub fn is_member_at(self, at: i64) -> bool {
        match self {
            Status::Member { since } => since <= at,
            Status::Leaving {
                member_since,
                leaves_at,
                ..
            } => member_since <= at && at < leaves_at,
            Status::Applicant { .. }
            | Status::Left { .. }
            | Status::Rejected { .. }
            | Status::Withdrawn { .. } => false,
        }
    }

    /// Whether the organisation holds its member class in this state: as an
    /// applicant, a member, or a member that has given notice.
    pub fn holds_class(self) -> bool {
        matches!(
            self,
            Status::Applicant { .. } | Status::Member { .. } | Status::Leaving { .. }
        )
    }

    fn described(status: Option<Status>) -> &'static str {
        match status {
            None => "an organisation with no membership record",
            Some(Status::Applicant { .. }) => "an applicant",
            Some(Status::Member { .. }) => "a member",
            Some(Status::Leaving { .. }) => "a member that has given notice",
            Some(Status::Left { .. }) => "a former member",
            Some(Status::Rejected { .. }) => "a rejected applicant",
            Some(Status::Withdrawn { .. }) => "an organisation whose application was withdrawn",
        }
    }
}

/// Something that happens to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Apply,
    Accept,
    Reject,
    /// The applicant withdraws, or its application lapses undecided.
    Withdraw,
    GiveNotice,
    /// The leave taking effect at the end of the notice period.
    Leave,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Event::Apply => "apply",
            Event::Accept => "be accepted",
            Event::Reject => "be rejected",
            Event::Withdraw => "withdraw an application",
            Event::GiveNotice => "give notice",
            Event::Leave => "leave",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{} cannot {event}", Status::described(*from))]
    NotAllowed { from: Option<Status>, event: Event },
    #[error(
        "the notice period runs until {}; the organisation cannot leave before then",
        format_utc(*leaves_at)
    )]
    NoticeRunning { leaves_at: i64 },
    #[error(
        "this event ({}) is dated before the current status began ({})",
        format_utc(*at),
        format_utc(*since)
    )]
    OutOfOrder { at: i64, since: i64 },
}

/// The one place membership moves: `current` is `None` for an organisation
/// that has never applied. Allowed: apply → applicant (also again after a
/// rejection, a withdrawal or a leave: the history keeps the earlier
/// steps); accept → member; reject → rejected; withdraw → withdrawn; give
/// notice → leaving, with the leave date the notice
/// date plus the notice period; leave → left, only once that date is
/// reached (dated at the leave date, however late it is processed).
/// Anything else is refused, as is an event dated before the current state.
pub fn apply(
    current: Option<Status>,
    event: Event,
    at_ms: i64,
    rules: &ConsortiumRules,
) -> Result<Status, TransitionError> {
    if let Some(status) = current
        && at_ms < status.entered_at()
    {
        return Err(TransitionError::OutOfOrder {
            at: at_ms,
            since: status.entered_at(),
        });
    }
    match (current, event) {
        (
            None | Some(Status::Rejected { .. } | Status::Withdrawn { .. } | Status::Left { .. }),
            Event::Apply,
        ) => Ok(Status::Applicant { applied_at: at_ms }),
        (Some(Status::Applicant { .. }), Event::Withdraw) => Ok(Status::Withdrawn {
            withdrawn_at: at_ms,
        }),
        (Some(Status::Applicant { .. }), Event::Accept) => Ok(Status::Member { since: at_ms }),
        (Some(Status::Applicant { .. }), Event::Reject) => {
            Ok(Status::Rejected { rejected_at: at_ms })
        }
        (Some(Status::Member { since }), Event::GiveNotice) => Ok(Status::Leaving {
            member_since: since,
            notice_at: at_ms,
            leaves_at: rules.notice_period.after(at_ms),
        }),
        (Some(Status::Leaving { leaves_at, .. }), Event::Leave) => {
            if at_ms < leaves_at {
                Err(TransitionError::NoticeRunning { leaves_at })
            } else {
                Ok(Status::Left { left_at: leaves_at })
            }
        }
        (from, event) => Err(TransitionError::NotAllowed { from, event }),
    }
}

/// The consortium's standing rules. Proposals copy the defaults at
/// creation and freeze their own copy at opening, so changing these never
/// changes a running decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct ConsortiumRules {
    /// The member classes the statutes know (e.g. consumer, producer).
    pub member_classes: BTreeSet<String>,
    /// No proposal may close sooner than this after opening (or after its
    /// text last changed).
    pub min_lead_time: DurationMs,
    pub default_quorum: BasisPoints,
    pub default_threshold: Threshold,
    /// Between giving notice and the leave taking effect.
    pub notice_period: DurationMs,
    /// A federation's vote weight: 1 or 2.
    pub federation_weight: FederationWeight,
    /// How long before a proposal closes the reminder goes out.
    pub reminder_lead: DurationMs,
    /// Whether every ballot must link to the minutes of the member's own
    /// decision.
    pub require_minutes_link: bool,
    /// The legal forms that may apply for membership; empty: all of them.
    #[serde(default)]
    pub admitted_legal_forms: BTreeSet<LegalForm>,
    /// What no rules may go below (the statutes' floor); changing it takes
    /// `floor_threshold`.
    #[serde(default)]
    pub floor: Floor,
    /// The share a decision changing the protected rules must meet.
    #[serde(default = "Threshold::special")]
    pub amendment_threshold: Threshold,
    /// The higher share a decision changing the floor, or either of these
    /// thresholds, must meet.
    #[serde(default = "Threshold::near_unanimous")]
    pub floor_threshold: Threshold,
    /// Whether people may be members in their own right, in which class,
    /// and how they vote; `None`: only organisations are members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individuals: Option<IndividualRules>,
}

/// The statutory floor under the consortium's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Floor {
    /// No consortium lead time below this (7 days by default).
    pub min_lead_time: DurationMs,
}

impl Default for Floor {
    fn default() -> Self {
        Floor {
            min_lead_time: DurationMs::days(7),
        }
    }
}

impl Default for ConsortiumRules {
    fn default() -> Self {
        ConsortiumRules {
            member_classes: ["consumer", "producer"].map(String::from).into(),
            min_lead_time: DurationMs::days(7),
            default_quorum: BasisPoints::HALF,
            default_threshold: Threshold::MAJORITY,
            notice_period: DurationMs::days(30),
            federation_weight: FederationWeight::One,
            reminder_lead: DurationMs::days(1),
            require_minutes_link: false,
            admitted_legal_forms: BTreeSet::new(),
            floor: Floor::default(),
            amendment_threshold: Threshold::special(),
            floor_threshold: Threshold::near_unanimous(),
            individuals: None,
        }
    }
}

/// A federation's weight: the statutes pick one of two values, so there is
/// no third to validate away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum FederationWeight {
    One,
    Two,
}

impl TryFrom<u32> for FederationWeight {
    type Error = WeightError;
    fn try_from(weight: u32) -> Result<Self, Self::Error> {
        match weight {
            1 => Ok(FederationWeight::One),
            2 => Ok(FederationWeight::Two),
            weight => Err(WeightError {
                kind: OrgKind::Federation,
                weight,
                allowed: "1 or 2",
            }),
        }
    }
}

impl From<FederationWeight> for u32 {
    fn from(weight: FederationWeight) -> u32 {
        match weight {
            FederationWeight::One => 1,
            FederationWeight::Two => 2,
        }
    }
}

/// A class the consortium rules do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class:?} is not a member class of this consortium (known: {known})")]
pub struct UnknownClass {
    pub class: String,
    pub known: String,
}

/// A member that cannot sit in the class asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberRefused {
    #[error(transparent)]
    Class(#[from] UnknownClass),
    #[error("the rules admit no individual members")]
    NoIndividuals,
    #[error("the class {class:?} is for individual members, and individuals sit only in it")]
    IndividualClass { class: String },
}

/// A proposal's rules that fall below the consortium's floor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("the lead time {given} is shorter than the consortium's minimum of {minimum}")]
    LeadTimeTooShort {
        given: DurationMs,
        minimum: DurationMs,
    },
    #[error("the consortium requires every ballot to link to the member's minutes")]
    MinutesRequired,
    #[error("the lead time {given} is below the statutory floor of {floor}")]
    BelowFloor {
        given: DurationMs,
        floor: DurationMs,
    },
    #[error("the consortium needs at least one member class")]
    NoClasses,
    #[error("individual members' class {class:?} is not one of the member classes")]
    IndividualClass { class: String },
}

impl ConsortiumRules {
    /// The vote weight the rules give a member of this kind.
    pub fn vote_weight(&self, kind: OrgKind) -> Weight {
        match (kind, self.federation_weight, &self.individuals) {
            (OrgKind::Federation, FederationWeight::Two, _) => Weight::TWO,
            (OrgKind::Individual, _, Some(individuals)) => individuals.voting.register_weight(),
            _ => Weight::ONE,
        }
    }

    /// Checks that `class` is one the statutes know.
    pub fn check_class(&self, class: &str) -> Result<(), UnknownClass> {
        if self.member_classes.contains(class) {
            Ok(())
        } else {
            Err(UnknownClass {
                class: class.to_owned(),
                known: self
                    .member_classes
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }

    /// Checks that a member of `kind` may sit in `class`: individuals only
    /// in the class the rules give them, and only when the rules admit them.
    pub fn check_member(&self, kind: OrgKind, class: &str) -> Result<(), MemberRefused> {
        self.check_class(class)?;
        match (&self.individuals, kind) {
            (None, OrgKind::Individual) => Err(MemberRefused::NoIndividuals),
            (Some(i), OrgKind::Individual) if i.class != class => {
                Err(MemberRefused::IndividualClass {
                    class: i.class.clone(),
                })
            }
            (Some(i), OrgKind::Organisation | OrgKind::Federation) if i.class == class => {
                Err(MemberRefused::IndividualClass {
                    class: i.class.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Checks that an organisation of legal form `form` (`None`: not
    /// recorded) may apply.
    pub fn check_legal_form(&self, form: Option<LegalForm>) -> Result<(), LegalFormRefused> {
        if self.admitted_legal_forms.is_empty() {
            return Ok(());
        }
        let admitted = self
            .admitted_legal_forms
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match form {
            Some(f) if self.admitted_legal_forms.contains(&f) => Ok(()),
            Some(given) => Err(LegalFormRefused::NotAdmitted { given, admitted }),
            None => Err(LegalFormRefused::Unknown { admitted }),
        }
    }

    /// Checks that every class still held (by `(organisation, class)`
    /// pairs) is one of these rules' classes.
    pub fn check_classes_held<'a>(
        &self,
        held: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), ClassHeld> {
        let mut dropped: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for (org, class) in held {
            if !self.member_classes.contains(class) {
                dropped.entry(class).or_default().push(org.to_string());
            }
        }
        match dropped.into_iter().next() {
            Some((class, holders)) => Err(ClassHeld {
                class: class.to_string(),
                holders,
            }),
            None => Ok(()),
        }
    }

    /// The rules a new proposal starts from.
    pub fn proposal_rules(&self) -> Rules {
        Rules {
            min_lead_time: self.min_lead_time,
            quorum: self.default_quorum,
            threshold: self.default_threshold,
            block_stops: true,
            hide_results_until_close: false,
            require_minutes: self.require_minutes_link,
        }
    }

    /// A proposal may be stricter than the consortium, never laxer on the
    /// lead time or the minutes requirement.
    pub fn check_proposal_rules(&self, rules: &Rules) -> Result<(), RulesError> {
        if rules.min_lead_time < self.min_lead_time {
            return Err(RulesError::LeadTimeTooShort {
                given: rules.min_lead_time,
                minimum: self.min_lead_time,
            });
        }
        if self.require_minutes_link && !rules.require_minutes {
            return Err(RulesError::MinutesRequired);
        }
        Ok(())
    }

    /// Rules that can stand at all: a member class, and a lead time not
    /// below the floor.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.member_classes.is_empty() {
            return Err(RulesError::NoClasses);
        }
        if self.min_lead_time < self.floor.min_lead_time {
            return Err(RulesError::BelowFloor {
                given: self.min_lead_time,
                floor: self.floor.min_lead_time,
            });
        }
        if let Some(individuals) = &self.individuals
            && !self.member_classes.contains(&individuals.class)
        {
            return Err(RulesError::IndividualClass {
                class: individuals.class.clone(),
            });
        }
        Ok(())
    }

    /// When the "closing soon" reminder for a proposal closing at
    /// `closes_at` is due.
    pub fn reminder_at(&self, closes_at: i64) -> i64 {
        self.reminder_lead.before(closes_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC

    fn rules() -> ConsortiumRules {
        ConsortiumRules::default()
    }

    fn member() -> Status {
        Status::Member { since: T0 }
    }

    #[test]
    fn applying_makes_an_applicant() {
        assert_eq!(
            apply(None, Event::Apply, T0, &rules()),
            Ok(Status::Applicant { applied_at: T0 })
        );
    }

    #[test]
    fn accepting_an_applicant_makes_a_member_from_that_date() {
        let applicant = Status::Applicant { applied_at: T0 };
        assert_eq!(
            apply(Some(applicant), Event::Accept, T0 + DAY, &rules()),
            Ok(Status::Member { since: T0 + DAY })
        );
    }

    #[test]
    fn a_rejected_applicant_may_only_apply_again() {
        let applicant = Status::Applicant { applied_at: T0 };
        let rejected = apply(Some(applicant), Event::Reject, T0, &rules()).expect("allowed");
        assert_eq!(rejected, Status::Rejected { rejected_at: T0 });
        for event in [Event::Accept, Event::GiveNotice, Event::Withdraw] {
            assert!(apply(Some(rejected), event, T0, &rules()).is_err());
        }
        assert_eq!(
            apply(Some(rejected), Event::Apply, T0 + DAY, &rules()),
            Ok(Status::Applicant {
                applied_at: T0 + DAY
            })
        );
    }

    #[test]
    fn an_applicant_may_withdraw_and_apply_again_later() {
        let applicant = Status::Applicant { applied_at: T0 };
        let withdrawn = apply(Some(applicant), Event::Withdraw, T0 + DAY, &rules());
        assert_eq!(
            withdrawn,
            Ok(Status::Withdrawn {
                withdrawn_at: T0 + DAY
            })
        );
        let again = apply(withdrawn.ok(), Event::Apply, T0 + 2 * DAY, &rules());
        assert_eq!(
            again,
            Ok(Status::Applicant {
                applied_at: T0 + 2 * DAY
            })
        );
        assert!(apply(Some(member()), Event::Withdraw, T0, &rules()).is_err());
    }

    #[test]
    fn a_former_member_may_apply_again() {
        let left = Status::Left { left_at: T0 };
        assert_eq!(
            apply(Some(left), Event::Apply, T0 + DAY, &rules()),
            Ok(Status::Applicant {
                applied_at: T0 + DAY
            })
        );
    }

    #[test]
    fn an_applicant_cannot_apply_twice() {
        let applicant = Status::Applicant { applied_at: T0 };
        assert!(apply(Some(applicant), Event::Apply, T0, &rules()).is_err());
    }

    #[test]
    fn notice_sets_the_leave_date_one_notice_period_later() {
        let leaving = apply(Some(member()), Event::GiveNotice, T0 + DAY, &rules());
        assert_eq!(
            leaving,
            Ok(Status::Leaving {
                member_since: T0,
                notice_at: T0 + DAY,
                leaves_at: T0 + 31 * DAY,
            })
        );
    }

    #[test]
    fn the_leave_takes_effect_only_once_the_leave_date_is_reached() {
        let leaving = apply(Some(member()), Event::GiveNotice, T0, &rules()).expect("allowed");
        assert_eq!(
            apply(Some(leaving), Event::Leave, T0 + 30 * DAY - 1, &rules()),
            Err(TransitionError::NoticeRunning {
                leaves_at: T0 + 30 * DAY
            })
        );
        assert_eq!(
            apply(Some(leaving), Event::Leave, T0 + 40 * DAY, &rules()),
            Ok(Status::Left {
                left_at: T0 + 30 * DAY
            })
        );
    }

    #[test]
    fn a_member_cannot_apply_or_be_accepted_again() {
        let err = apply(Some(member()), Event::Apply, T0, &rules()).expect_err("refused");
        assert_eq!(err.to_string(), "a member cannot apply");
        assert!(apply(Some(member()), Event::Accept, T0, &rules()).is_err());
    }

    #[test]
    fn an_unknown_organisation_cannot_give_notice() {
        let err = apply(None, Event::GiveNotice, T0, &rules()).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "an organisation with no membership record cannot give notice"
        );
    }

    #[test]
    fn an_event_dated_before_the_current_status_is_refused() {
        let err = apply(Some(member()), Event::GiveNotice, T0 - 1, &rules()).expect_err("refused");
        assert!(matches!(err, TransitionError::OutOfOrder { .. }));
    }

    #[test]
    fn a_leaving_member_still_votes_until_the_leave_date() {
        let leaving = Status::Leaving {
            member_since: T0,
            notice_at: T0 + DAY,
            leaves_at: T0 + 31 * DAY,
        };
        assert!(leaving.is_member_at(T0 + 30 * DAY));
        assert!(!leaving.is_member_at(T0 + 31 * DAY));
    }

    #[test]
    fn a_member_accepted_later_is_not_a_member_before() {
        assert!(!member().is_member_at(T0 - 1));
        assert!(!Status::Applicant { applied_at: T0 }.is_member_at(T0));
    }

    #[test]
    fn an_organisation_votes_with_weight_one_only() {
        assert!(validate_weight(OrgKind::Organisation, Weight::ONE).is_ok());
        let err = validate_weight(OrgKind::Organisation, Weight::TWO).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "a vote weight of 2 is not allowed for this organisation (allowed: 1)"
        );
    }

    #[test]
    fn a_federation_votes_with_weight_one_or_two() {
        assert!(validate_weight(OrgKind::Federation, Weight::ONE).is_ok());
        assert!(validate_weight(OrgKind::Federation, Weight::TWO).is_ok());
        let three = Weight::new(3).expect("non-zero");
        assert!(validate_weight(OrgKind::Federation, three).is_err());
    }

    #[test]
    fn a_zero_weight_is_not_a_weight() {
        assert_eq!(Weight::new(0), Err(ZeroWeight));
    }

    #[test]
    fn the_federation_weight_comes_from_the_rules() {
        let mut rules = rules();
        assert_eq!(rules.vote_weight(OrgKind::Federation), Weight::ONE);
        rules.federation_weight = FederationWeight::Two;
        assert_eq!(rules.vote_weight(OrgKind::Federation), Weight::TWO);
        assert_eq!(rules.vote_weight(OrgKind::Organisation), Weight::ONE);
    }

    #[test]
    fn a_federation_weight_of_three_does_not_deserialize() {
        let json = serde_json::to_string(&rules()).expect("serializes");
        let json = json.replace("\"federation_weight\":1", "\"federation_weight\":3");
        assert!(serde_json::from_str::<ConsortiumRules>(&json).is_err());
    }

    #[test]
    fn the_default_classes_are_consumer_and_producer() {
        assert!(rules().check_class("consumer").is_ok());
        assert!(rules().check_class("producer").is_ok());
        let err = rules().check_class("investor").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "\"investor\" is not a member class of this consortium (known: consumer, producer)"
        );
    }

    #[test]
    fn every_legal_form_may_apply_by_default() {
        for form in LegalForm::ALL {
            assert_eq!(rules().check_legal_form(Some(form)), Ok(()));
        }
        assert_eq!(rules().check_legal_form(None), Ok(()));
    }

    #[test]
    fn only_the_admitted_legal_forms_may_apply_when_the_rules_name_them() {
        let rules = ConsortiumRules {
            admitted_legal_forms: [LegalForm::CoOperative, LegalForm::Association].into(),
            ..rules()
        };
        assert_eq!(rules.check_legal_form(Some(LegalForm::Association)), Ok(()));
        let refused = rules
            .check_legal_form(Some(LegalForm::Company))
            .expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "the membership rules admit only co-operative, association; this organisation is a company"
        );
        assert!(matches!(
            rules.check_legal_form(None),
            Err(LegalFormRefused::Unknown { .. })
        ));
    }

    #[test]
    fn legal_forms_are_named_in_kebab_case() {
        assert_eq!("public-body".parse(), Ok(LegalForm::PublicBody));
        assert_eq!(
            serde_json::to_string(&LegalForm::CoOperative).unwrap(),
            "\"co-operative\""
        );
        assert!("plc".parse::<LegalForm>().is_err());
    }

    #[test]
    fn rules_stored_before_legal_forms_were_known_admit_every_form() {
        let mut stored = serde_json::to_value(rules()).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("admitted_legal_forms");
        let read: ConsortiumRules = serde_json::from_value(stored).unwrap();
        assert!(read.admitted_legal_forms.is_empty());
    }

    #[test]
    fn a_class_still_held_cannot_be_dropped_from_the_rules() {
        let rules = ConsortiumRules {
            member_classes: ["consumer"].map(String::from).into(),
            ..rules()
        };
        assert_eq!(rules.check_classes_held([("a", "consumer")]), Ok(()));
        let err = rules
            .check_classes_held([("a", "consumer"), ("host", "producer"), ("b", "producer")])
            .expect_err("held");
        assert_eq!(err.holders, ["host", "b"]);
        assert_eq!(
            err.to_string(),
            "the member class \"producer\" cannot be removed while host, b hold it: change their class first"
        );
    }

    #[test]
    fn a_proposal_cannot_shorten_the_consortium_lead_time() {
        let mut proposal = rules().proposal_rules();
        assert!(rules().check_proposal_rules(&proposal).is_ok());
        proposal.min_lead_time = DurationMs::days(3);
        assert_eq!(
            rules()
                .check_proposal_rules(&proposal)
                .map_err(|e| e.to_string()),
            Err("the lead time 3 days is shorter than the consortium's minimum of 7 days".into())
        );
    }

    #[test]
    fn a_proposal_cannot_drop_a_required_minutes_link() {
        let consortium = ConsortiumRules {
            require_minutes_link: true,
            ..rules()
        };
        let mut proposal = consortium.proposal_rules();
        assert!(proposal.require_minutes);
        proposal.require_minutes = false;
        assert_eq!(
            consortium.check_proposal_rules(&proposal),
            Err(RulesError::MinutesRequired)
        );
    }

    #[test]
    fn the_reminder_goes_out_one_day_before_closing() {
        assert_eq!(rules().reminder_at(T0 + 7 * DAY), T0 + 6 * DAY);
    }
}
