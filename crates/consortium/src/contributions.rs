//! What members give besides their fees, recorded for organisations and
//! individuals alike and shown on the register.

use governance::contribution::{Contribution, ContributionKind};
use store::{Act, NewContribution};

use crate::convert::status;
use crate::{Consortium, ConsortiumError, Result};

/// A contribution as a member or operator gives it, unchecked: the amount
/// as a decimal number (`12.5` hours, `250` money, `2` servers), the day
/// as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered<'a> {
    pub kind: &'a str,
    pub amount: &'a str,
    pub day: &'a str,
    pub note: &'a str,
}

/// A recorded contribution, with who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributed {
    pub org: String,
    pub contribution: Contribution,
    pub recorded_by: String,
    pub recorded_at: i64,
}

impl Consortium {
    /// Checks and records a contribution of a member (or an applicant or
    /// former member): plain customers contribute nothing to the consortium.
    pub async fn contribute(
        &self,
        org: &str,
        offered: &Offered<'_>,
        act: &Act,
    ) -> Result<Contributed> {
        let kind: ContributionKind = offered.kind.parse().map_err(ConsortiumError::invalid)?;
        let c = &Contribution::new(kind, offered.amount, offered.day, offered.note)
            .map_err(ConsortiumError::invalid)?;
        if status(&self.store.organisation(org).await?)?.is_none() {
            return Err(ConsortiumError::Refused(format!(
                "{org} is not in the consortium's register, only a customer"
            )));
        }
        let amount = i64::try_from(c.amount)
            .map_err(|_| ConsortiumError::Invalid("the amount is too large".into()))?;
        let new = NewContribution {
            kind: c.kind.as_str(),
            amount,
            day: &c.day,
            note: &c.note,
        };
        let stored = self.store.record_contribution(org, &new, act).await?;
        Ok(Contributed {
            org: stored.org,
            contribution: c.clone(),
            recorded_by: stored.recorded_by,
            recorded_at: stored.recorded_at,
        })
    }

    /// Every contribution recorded, by organisation then day; only `org`'s
    /// when given.
    pub async fn contributions(&self, org: Option<&str>) -> Result<Vec<Contributed>> {
        self.store
            .contributions()
            .await?
            .into_iter()
            .filter(|c| org.is_none_or(|o| o == c.org))
            .map(|c| {
                let row = format!("contribution {} of {}", c.id, c.org);
                let kind: ContributionKind = c
                    .kind
                    .parse()
                    .map_err(|e| ConsortiumError::corrupt(&row, e))?;
                let amount =
                    u64::try_from(c.amount).map_err(|e| ConsortiumError::corrupt(&row, e))?;
                Ok(Contributed {
                    org: c.org,
                    contribution: Contribution {
                        kind,
                        amount,
                        day: c.day,
                        note: c.note,
                    },
                    recorded_by: c.recorded_by,
                    recorded_at: c.recorded_at,
                })
            })
            .collect()
    }
}
