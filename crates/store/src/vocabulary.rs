//! The words the register and proposals store in text columns, as types:
//! a row whose word is none of them reads as [`StoreError::Corrupt`]
//! naming the row, never as a guess. Each type writes and reads the same
//! lower-case word (in SQL, JSON and on screen).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::StoreError;

/// Declares a stored word type: variants with their words, `as_str`,
/// `Display`, `FromStr`, comparison with a `&str`, and serde (and the
/// OpenAPI schema) as the word.
macro_rules! stored_words {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// Reads the word stored in `row`; anything else is a corrupt row.
            pub(crate) fn read(word: &str, row: impl fmt::Display) -> Result<Self, StoreError> {
                word.parse().map_err(|_| {
                    StoreError::Corrupt(format!("{row}: {word:?} is not {}", $what))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = StoreError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| StoreError::Corrupt(format!("{s:?} is not {}", $what)))
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

stored_words!(
    /// Where a proposal is in its life.
    ProposalState, "a proposal state" {
        Draft => "draft",
        Open => "open",
        Closed => "closed",
        Withdrawn => "withdrawn",
    }
);

stored_words!(
    /// A person's role in an organisation.
    Role, "a role" {
        /// Casts the organisation's ballot; one per organisation.
        Delegate => "delegate",
        /// Votes while the delegate has not.
        Deputy => "deputy",
        /// Manages the organisation's people and may give its notice.
        Admin => "admin",
    }
);

stored_words!(
    /// What kind of member an organisation is.
    OrgKind, "an organisation kind" {
        Organisation => "organisation",
        Federation => "federation",
        /// A person who is a member in their own right.
        Individual => "individual",
    }
);

stored_words!(
    /// Where an organisation stands in the register.
    RegisterStatus, "a register status" {
        Customer => "customer",
        Applicant => "applicant",
        Member => "member",
        Leaving => "leaving",
        Left => "left",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
    }
);

impl Role {
    /// Whether this role casts the organisation's ballot.
    pub fn votes(self) -> bool {
        matches!(self, Role::Delegate | Role::Deputy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_its_value() {
        for state in ProposalState::ALL {
            assert_eq!(state.as_str().parse::<ProposalState>().ok(), Some(*state));
        }
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>().ok(), Some(*role));
        }
    }

    #[test]
    fn an_unknown_word_names_its_row() {
        let err = ProposalState::read("opn", "proposal 7").expect_err("corrupt");
        assert_eq!(
            err.to_string(),
            "invalid value stored in the database: proposal 7: \"opn\" is not a proposal state"
        );
    }
}
