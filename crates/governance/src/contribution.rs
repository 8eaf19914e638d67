//! What members give besides their fees: hours of work, money, servers
//! hosted. Each contribution has a kind, an amount, the day it was given
//! and a note, and is recorded alike for organisations and individuals.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// What was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    /// Hours of work, to the hundredth of an hour.
    Hours,
    /// Money in the consortium's currency, to the cent.
    Money,
    /// Servers hosted for the pool, whole servers.
    Servers,
}

impl ContributionKind {
    pub const ALL: [ContributionKind; 3] = [
        ContributionKind::Hours,
        ContributionKind::Money,
        ContributionKind::Servers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContributionKind::Hours => "hours",
            ContributionKind::Money => "money",
            ContributionKind::Servers => "servers",
        }
    }

    /// How many hundredths an amount may have: servers are whole.
    fn decimals(self) -> usize {
        match self {
            ContributionKind::Servers => 0,
            ContributionKind::Hours | ContributionKind::Money => 2,
        }
    }
}

impl fmt::Display for ContributionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contribution that cannot be recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContributionError {
    #[error("{0:?} is not a kind of contribution (known: hours, money, servers)")]
    Kind(String),
    #[error("{given:?} is not an amount of {kind}: give a positive number{}", if kind.decimals() == 0 { " of whole servers" } else { " with at most two decimals" })]
    Amount {
        kind: ContributionKind,
        given: String,
    },
    #[error("{0:?} is not a day: give it as YYYY-MM-DD")]
    Day(String),
    #[error("a contribution needs a note saying what it was")]
    NoNote,
}

impl FromStr for ContributionKind {
    type Err = ContributionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContributionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| ContributionError::Kind(s.to_owned()))
    }
}

/// A checked contribution. `amount` is in hundredths of an hour, in
/// cents, or in whole servers, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contribution {
    pub kind: ContributionKind,
    pub amount: u64,
    /// The day it was given, `YYYY-MM-DD`.
    pub day: String,
    pub note: String,
}

impl Contribution {
    /// Checks what a member or operator typed: `amount` as a decimal
    /// number (`12.5` hours, `250.00` money, `2` servers).
    pub fn new(
        kind: ContributionKind,
        amount: &str,
        day: &str,
        note: &str,
    ) -> Result<Self, ContributionError> {
        let amount =
            parse_amount(kind, amount.trim()).ok_or_else(|| ContributionError::Amount {
                kind,
                given: amount.to_owned(),
            })?;
        if !is_day(day) {
            return Err(ContributionError::Day(day.to_owned()));
        }
        if note.trim().is_empty() {
            return Err(ContributionError::NoNote);
        }
        Ok(Contribution {
            kind,
            amount,
            day: day.to_owned(),
            note: note.trim().to_owned(),
        })
    }

    /// The amount as typed back: `12.50`, `2`.
    pub fn amount_text(&self) -> String {
        format_amount(self.kind, self.amount)
    }
}

/// `amount` (in the kind's smallest unit) written as a decimal number.
pub fn format_amount(kind: ContributionKind, amount: u64) -> String {
    match kind.decimals() {
        0 => amount.to_string(),
        _ => format!("{}.{:02}", amount / 100, amount % 100),
    }
}

fn parse_amount(kind: ContributionKind, text: &str) -> Option<u64> {
    let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || !digits(units) || !digits(fraction) || fraction.len() > kind.decimals() {
        return None;
    }
    let scale = 10u64.pow(kind.decimals() as u32);
    let fraction = format!("{fraction:0<width$}", width = kind.decimals());
    let amount = units
        .parse::<u64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(fraction.parse::<u64>().unwrap_or(0))?;
    (amount > 0).then_some(amount)
}

/// `YYYY-MM-DD` naming a real day of the Gregorian calendar.
fn is_day(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let shaped = y.len() == 4 && m.len() == 2 && d.len() == 2;
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (number(y), number(m), number(d)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    shaped && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContributionKind::{Hours, Money, Servers};

    #[test]
    fn hours_are_kept_to_the_hundredth() {
        let c = Contribution::new(Hours, "12.5", "2026-11-30", "Moderated the forum").unwrap();
        assert_eq!((c.amount, c.amount_text()), (1250, "12.50".to_owned()));
    }

    #[test]
    fn money_is_kept_to_the_cent() {
        let c = Contribution::new(Money, "250", "2026-11-30", "Donation").unwrap();
        assert_eq!(c.amount, 25_000);
    }

    #[test]
    fn servers_are_whole() {
        assert!(Contribution::new(Servers, "1.5", "2026-11-30", "Hosted").is_err());
        assert_eq!(
            Contribution::new(Servers, "2", "2026-11-30", "Hosted")
                .unwrap()
                .amount,
            2
        );
    }

    #[test]
    fn amounts_are_positive_plain_numbers() {
        for bad in ["", "0", "-1", "1,5", "1.234", ".5", "1e3", "a"] {
            assert!(
                Contribution::new(Hours, bad, "2026-11-30", "x").is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_day_is_a_real_calendar_day() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "26-01-01",
            "2026-1-01",
            "yesterday",
        ] {
            assert_eq!(
                Contribution::new(Hours, "1", bad, "x"),
                Err(ContributionError::Day(bad.to_owned()))
            );
        }
        assert!(Contribution::new(Hours, "1", "2028-02-29", "x").is_ok());
    }

    #[test]
    fn a_contribution_says_what_it_was() {
        assert_eq!(
            Contribution::new(Hours, "1", "2026-11-30", "  "),
            Err(ContributionError::NoNote)
        );
    }
}
