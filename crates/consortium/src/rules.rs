//! The consortium's standing rules: stored as JSON (audited on change), the
//! governance crate's defaults until an operator sets them.

use governance::membership::ConsortiumRules;
use store::Act;

use crate::convert::status;
use crate::{Consortium, ConsortiumError, Result};

impl Consortium {
    pub async fn rules(&self) -> Result<ConsortiumRules> {
        match self.store.consortium_rules().await? {
            Some(body) => {
                serde_json::from_str(&body).map_err(|e| ConsortiumError::corrupt("rules", e))
            }
            None => Ok(ConsortiumRules::default()),
        }
    }

    /// Replaces the rules; running proposals keep the rules they opened
    /// with. A class that applicants or members still hold stays.
    pub async fn set_rules(&self, rules: &ConsortiumRules, act: &Act) -> Result<()> {
        if rules.member_classes.is_empty() {
            return Err(ConsortiumError::Invalid(
                "the consortium needs at least one member class".into(),
            ));
        }
        let orgs = self.store.organisations().await?;
        let mut held = Vec::new();
        for org in &orgs {
            if let (Some(class), Some(now)) = (&org.member_class, status(org)?)
                && now.holds_class()
            {
                held.push((org.name.as_str(), class.as_str()));
            }
        }
        rules
            .check_classes_held(held)
            .map_err(ConsortiumError::refused)?;
        let body = serde_json::to_value(rules).map_err(ConsortiumError::invalid)?;
        Ok(self.store.set_consortium_rules(&body, act).await?)
    }
}
