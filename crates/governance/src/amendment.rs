//! Changing the consortium's rules. The rules that protect members' say
//! (lead time, quorum, thresholds, classes and weights, notice, membership
//! terms) change only by a decision whose threshold these functions name;
//! the statutory floor and the thresholds themselves take a higher one.
//! An operator sets the founding rules once, and afterwards may change
//! only what protects nobody (when reminders go out).

use crate::membership::{ConsortiumRules, RulesError};
use crate::proposal::Rules;
use crate::share::Threshold;

/// How much a rule is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protection {
    /// An operator may change it.
    Free,
    /// Only a decision meeting the amendment threshold changes it.
    Protected,
    /// Only a decision meeting the floor threshold changes it.
    Floor,
}

/// The rules whose values differ between `current` and `proposed`, each
/// with its protection, in declaration order.
pub fn changed_rules(
    current: &ConsortiumRules,
    proposed: &ConsortiumRules,
) -> Vec<(&'static str, Protection)> {
    use Protection::{Floor, Free, Protected};
    let (c, p) = (current, proposed);
    [
        (
            "member classes",
            c.member_classes != p.member_classes,
            Protected,
        ),
        ("lead time", c.min_lead_time != p.min_lead_time, Protected),
        ("quorum", c.default_quorum != p.default_quorum, Protected),
        (
            "threshold",
            c.default_threshold != p.default_threshold,
            Protected,
        ),
        (
            "notice period",
            c.notice_period != p.notice_period,
            Protected,
        ),
        (
            "federation weight",
            c.federation_weight != p.federation_weight,
            Protected,
        ),
        ("reminder", c.reminder_lead != p.reminder_lead, Free),
        (
            "minutes link",
            c.require_minutes_link != p.require_minutes_link,
            Protected,
        ),
        (
            "admitted legal forms",
            c.admitted_legal_forms != p.admitted_legal_forms,
            Protected,
        ),
        (
            "individual members",
            c.individuals != p.individuals,
            Protected,
        ),
        ("statutory floor", c.floor != p.floor, Floor),
        (
            "amendment threshold",
            c.amendment_threshold != p.amendment_threshold,
            Floor,
        ),
        (
            "floor threshold",
            c.floor_threshold != p.floor_threshold,
            Floor,
        ),
    ]
    .into_iter()
    .filter(|&(_, changed, _)| changed)
    .map(|(name, _, protection)| (name, protection))
    .collect()
}

/// Why a change of the rules is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    #[error(transparent)]
    Invalid(#[from] RulesError),
    #[error(
        "the {} can change only by a decision of the members: draft a rules-change proposal",
        names.join(", ")
    )]
    NeedsDecision { names: Vec<&'static str> },
    #[error("this proposal changes no rule")]
    NothingChanges,
    #[error("changing the {} needs a threshold of {required}; this proposal has {given}", names.join(", "))]
    ThresholdTooLow {
        names: Vec<&'static str>,
        required: Threshold,
        given: Threshold,
    },
}

/// Whether an operator may put `proposed` in place without a decision:
/// the founding rules (`current` is `None`), or a change of free rules.
pub fn check_operator_change(
    current: Option<&ConsortiumRules>,
    proposed: &ConsortiumRules,
) -> Result<(), AmendmentError> {
    proposed.validate()?;
    let Some(current) = current else {
        return Ok(());
    };
    let names: Vec<&'static str> = changed_rules(current, proposed)
        .into_iter()
        .filter(|&(_, p)| p > Protection::Free)
        .map(|(name, _)| name)
        .collect();
    if names.is_empty() {
        Ok(())
    } else {
        Err(AmendmentError::NeedsDecision { names })
    }
}

/// The threshold a decision replacing `current` by `proposed` must meet:
/// the floor threshold if the floor or a threshold changes, else the
/// amendment threshold. Both are the *current* rules' values, so a
/// decision cannot lower the bar it is measured against.
pub fn required_threshold(
    current: &ConsortiumRules,
    proposed: &ConsortiumRules,
) -> Result<Threshold, AmendmentError> {
    proposed.validate()?;
    let changed = changed_rules(current, proposed);
    match changed.iter().map(|&(_, p)| p).max() {
        None => Err(AmendmentError::NothingChanges),
        Some(Protection::Floor) => Ok(current.floor_threshold),
        Some(_) => Ok(current.amendment_threshold),
    }
}

/// Checks a rules-change proposal's own rules: its threshold must be at
/// least the one [`required_threshold`] names.
pub fn check_amendment(
    current: &ConsortiumRules,
    proposed: &ConsortiumRules,
    rules: &Rules,
) -> Result<(), AmendmentError> {
    let required = required_threshold(current, proposed)?;
    if rules.threshold.at_least_as_strict_as(required) {
        Ok(())
    } else {
        Err(AmendmentError::ThresholdTooLow {
            names: changed_rules(current, proposed)
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
            required,
            given: rules.threshold,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::BasisPoints;
    use crate::time::DurationMs;

    fn founding() -> ConsortiumRules {
        ConsortiumRules::default()
    }

    #[test]
    fn the_founding_rules_are_set_without_a_decision() {
        assert_eq!(check_operator_change(None, &founding()), Ok(()));
    }

    #[test]
    fn founding_rules_below_the_floor_are_refused() {
        let mut rules = founding();
        rules.min_lead_time = DurationMs::days(3);
        assert!(matches!(
            check_operator_change(None, &rules),
            Err(AmendmentError::Invalid(RulesError::BelowFloor { .. }))
        ));
    }

    #[test]
    fn an_operator_changes_the_reminder_but_no_rule_that_protects_members() {
        let mut reminder = founding();
        reminder.reminder_lead = DurationMs::hours(12);
        assert_eq!(check_operator_change(Some(&founding()), &reminder), Ok(()));
        let mut quorum = founding();
        quorum.default_quorum = BasisPoints::ZERO;
        let err = check_operator_change(Some(&founding()), &quorum).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "the quorum can change only by a decision of the members: draft a rules-change proposal"
        );
    }

    #[test]
    fn changing_the_floor_takes_the_higher_threshold() {
        let mut lower_floor = founding();
        lower_floor.floor.min_lead_time = DurationMs::days(5);
        assert_eq!(
            required_threshold(&founding(), &lower_floor),
            Ok(Threshold::near_unanimous())
        );
        let mut quorum = founding();
        quorum.default_quorum = BasisPoints::ZERO;
        assert_eq!(
            required_threshold(&founding(), &quorum),
            Ok(Threshold::special())
        );
    }

    #[test]
    fn a_rules_change_below_its_required_threshold_is_refused() {
        let mut quorum = founding();
        quorum.default_quorum = BasisPoints::ZERO;
        let mut rules = founding().proposal_rules();
        assert!(matches!(
            check_amendment(&founding(), &quorum, &rules),
            Err(AmendmentError::ThresholdTooLow { .. })
        ));
        rules.threshold = Threshold::special();
        assert_eq!(check_amendment(&founding(), &quorum, &rules), Ok(()));
    }

    #[test]
    fn a_rules_change_that_changes_nothing_is_refused() {
        assert_eq!(
            required_threshold(&founding(), &founding()),
            Err(AmendmentError::NothingChanges)
        );
    }
}
