//! The consortium's standing rules: stored as JSON (audited on change), the
//! governance crate's defaults until the founding rules are set. After
//! that, what protects members' say changes only by a decision (see
//! [`governance::amendment`]), applied when its proposal closes.

use governance::amendment::check_operator_change;
use governance::membership::ConsortiumRules;
use store::Act;

use crate::convert::{json, status};
use crate::{Consortium, ConsortiumError, Result};

impl Consortium {
    pub async fn rules(&self) -> Result<ConsortiumRules> {
        Ok(self.stored_rules().await?.unwrap_or_default())
    }

    /// The rules as set, `None` before the founding rules are.
    async fn stored_rules(&self) -> Result<Option<ConsortiumRules>> {
        self.store
            .consortium_rules()
            .await?
            .map(|body| json("the consortium rules", &body))
            .transpose()
    }

    /// An operator sets the rules: the founding rules once, before anyone
    /// joins, then only the rules that protect nobody; the others need a
    /// rules-change proposal. Running proposals keep the rules they opened
    /// with.
    pub async fn set_rules(&self, rules: &ConsortiumRules, act: &Act) -> Result<()> {
        check_operator_change(self.rules_in_force().await?.as_ref(), rules)
            .map_err(ConsortiumError::refused)?;
        self.put_rules(rules, None, act).await
    }

    /// The rules members are under: the stored ones, or the defaults once
    /// anyone has applied or joined under them; `None` while the
    /// consortium is still being founded.
    async fn rules_in_force(&self) -> Result<Option<ConsortiumRules>> {
        if let Some(rules) = self.stored_rules().await? {
            return Ok(Some(rules));
        }
        let founded = self
            .store
            .organisations()
            .await?
            .iter()
            .any(|o| o.membership.is_some());
        Ok(founded.then(ConsortiumRules::default))
    }

    /// Refuses rules that drop a class applicants or members still hold.
    pub(crate) async fn check_classes_kept(&self, rules: &ConsortiumRules) -> Result<()> {
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
            .map_err(ConsortiumError::refused)
    }

    /// Puts rules in place that were decided (by proposal `decision`) or
    /// are free to set.
    pub(crate) async fn put_rules(
        &self,
        rules: &ConsortiumRules,
        decision: Option<i64>,
        act: &Act,
    ) -> Result<()> {
        rules.validate().map_err(ConsortiumError::invalid)?;
        self.check_classes_kept(rules).await?;
        let body = serde_json::to_value(rules).map_err(ConsortiumError::invalid)?;
        Ok(self
            .store
            .set_consortium_rules(&body, decision, act)
            .await?)
    }
}
