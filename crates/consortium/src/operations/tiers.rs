//! Tiers: the service levels tenants are sold at. Operators make and
//! change them; operators and organisations' admins read them. Every face
//! changes a tier here, so a negative limit or a wrong currency is refused
//! alike everywhere.

use bbb::DisabledFeatures;
use store::{Act, Tier};

use super::operate;
use crate::access::Action;
use crate::{Actor, Consortium, ConsortiumError, Result};

/// What to set of a tier; `None` keeps its value (a new tier's is that of
/// [`blank_tier`]: free, in euros, without limits, recording allowed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierChange {
    pub price_cents: Option<i64>,
    /// An ISO 4217 code such as `EUR`.
    pub currency: Option<String>,
    pub participants_per_meeting: Option<i64>,
    pub concurrent_meetings: Option<i64>,
    pub concurrent_participants: Option<i64>,
    pub meeting_minutes: Option<i64>,
    pub webcams_per_meeting: Option<i64>,
    pub webcams_per_user: Option<i64>,
    pub recording: Option<bool>,
    pub rooms_per_month: Option<i64>,
    pub disabled_features: Option<DisabledFeatures>,
    pub allowance_participant_minutes: Option<i64>,
    pub allowance_gb: Option<i64>,
}

/// A new tier before its values are set.
pub fn blank_tier(name: &str) -> Tier {
    Tier {
        id: 0,
        name: name.to_string(),
        price_cents: 0,
        currency: "EUR".into(),
        participants_per_meeting: 0,
        concurrent_meetings: 0,
        concurrent_participants: 0,
        meeting_minutes: 0,
        webcams_per_meeting: 0,
        webcams_per_user: 0,
        recording: true,
        rooms_per_month: 0,
        disabled_features: DisabledFeatures::default(),
        allowance_participant_minutes: 0,
        allowance_gb: 0,
    }
}

/// A tier's name is shown in listings, bills and the audit log as it is.
fn check_name(name: &str) -> Result<()> {
    let valid = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(ConsortiumError::Invalid(format!(
            "{name:?} is not a tier name: use 1 to 64 letters, digits, '-', '_' and '.'"
        )))
    }
}

/// The ISO 4217 code, upper-cased.
fn currency(code: &str) -> Result<String> {
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(ConsortiumError::Invalid(format!(
            "{code:?} is not an ISO currency code such as EUR"
        )))
    }
}

/// `tier` with `change` applied, every value checked before any is kept.
fn apply(mut tier: Tier, change: TierChange) -> Result<Tier> {
    if let Some(code) = change.currency {
        tier.currency = currency(&code)?;
    }
    let amounts = [
        (change.price_cents, &mut tier.price_cents, "price_cents"),
        (
            change.participants_per_meeting,
            &mut tier.participants_per_meeting,
            "participants_per_meeting",
        ),
        (
            change.concurrent_meetings,
            &mut tier.concurrent_meetings,
            "concurrent_meetings",
        ),
        (
            change.concurrent_participants,
            &mut tier.concurrent_participants,
            "concurrent_participants",
        ),
        (
            change.meeting_minutes,
            &mut tier.meeting_minutes,
            "meeting_minutes",
        ),
        (
            change.webcams_per_meeting,
            &mut tier.webcams_per_meeting,
            "webcams_per_meeting",
        ),
        (
            change.webcams_per_user,
            &mut tier.webcams_per_user,
            "webcams_per_user",
        ),
        (
            change.rooms_per_month,
            &mut tier.rooms_per_month,
            "rooms_per_month",
        ),
        (
            change.allowance_participant_minutes,
            &mut tier.allowance_participant_minutes,
            "allowance_participant_minutes",
        ),
        (change.allowance_gb, &mut tier.allowance_gb, "allowance_gb"),
    ];
    for (value, field, name) in amounts {
        if let Some(v) = value {
            if v < 0 {
                return Err(ConsortiumError::Invalid(format!(
                    "{name} cannot be negative (a limit of 0 means unlimited)"
                )));
            }
            *field = v;
        }
    }
    if let Some(recording) = change.recording {
        tier.recording = recording;
    }
    if let Some(features) = change.disabled_features {
        tier.disabled_features = features;
    }
    Ok(tier)
}

impl Consortium {
    /// The tiers organisations choose from.
    pub async fn tiers(&self, actor: &Actor) -> Result<Vec<Tier>> {
        read_tiers(actor)?;
        Ok(self.store.tiers().await?)
    }

    /// One tier, to those who may read the tiers.
    pub async fn tier(&self, actor: &Actor, name: &str) -> Result<Tier> {
        read_tiers(actor)?;
        Ok(self.store.tier(name).await?)
    }

    /// Makes a tier, audited under the actor's name; a name taken is a
    /// conflict (change it with [`Consortium::set_tier`]).
    pub async fn create_tier(
        &self,
        actor: &Actor,
        name: &str,
        change: TierChange,
        at_ms: i64,
    ) -> Result<Tier> {
        operate(actor)?;
        check_name(name)?;
        match self.store.tier(name).await {
            Ok(_) => {
                return Err(ConsortiumError::Conflict(format!(
                    "tier {name:?} already exists: change it instead"
                )));
            }
            Err(store::StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let tier = apply(blank_tier(name), change)?;
        Ok(self
            .store
            .save_tier(&tier, &Act::new(actor.name(), at_ms))
            .await?)
    }

    /// Changes a tier's values, audited under the actor's name; running
    /// meetings keep their limits, new ones get these.
    pub async fn set_tier(
        &self,
        actor: &Actor,
        name: &str,
        change: TierChange,
        at_ms: i64,
    ) -> Result<Tier> {
        operate(actor)?;
        let tier = apply(self.store.tier(name).await?, change)?;
        Ok(self
            .store
            .save_tier(&tier, &Act::new(actor.name(), at_ms))
            .await?)
    }
}

fn read_tiers(actor: &Actor) -> Result<()> {
    actor
        .may(Action::ReadTiers)
        .map_err(|r| r.into_error("tiers"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_limit_is_refused_by_its_name() {
        let change = TierChange {
            meeting_minutes: Some(30),
            rooms_per_month: Some(-1),
            ..TierChange::default()
        };
        let err = apply(blank_tier("school"), change).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rooms_per_month cannot be negative (a limit of 0 means unlimited)"
        );
    }

    #[test]
    fn a_currency_is_an_iso_code() {
        let eur = |code: &str| {
            apply(
                blank_tier("school"),
                TierChange {
                    currency: Some(code.into()),
                    ..TierChange::default()
                },
            )
            .map(|t| t.currency)
        };
        assert_eq!(eur("chf").unwrap(), "CHF");
        for bad in ["", "EU", "EURO", "E1R"] {
            assert!(eur(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn what_is_not_changed_stays() {
        let mut tier = blank_tier("school");
        tier.price_cents = 1250;
        let changed = apply(
            tier.clone(),
            TierChange {
                recording: Some(false),
                ..TierChange::default()
            },
        )
        .unwrap();
        assert_eq!(
            changed,
            Tier {
                recording: false,
                ..tier
            }
        );
    }

    #[test]
    fn a_tier_name_is_plain() {
        assert!(check_name("level-1").is_ok());
        let long = "x".repeat(65);
        for bad in ["", "two words", "a/b", long.as_str()] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
