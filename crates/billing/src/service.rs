//! Billing as every face reaches it: usage, fair use, capacity, costs and
//! statements, each asked of the access rules (`consortium::access`) first,
//! with the actor who asks. Operators see the whole platform; an
//! organisation's admin sees that organisation's usage, fair use and
//! statements, and another organisation answers exactly like a missing one.

use std::collections::HashMap;

use consortium::{Action, Actor, Owner, Refusal};
use metering::money::Cents;
use metering::period::{Month, Period};
use serde::Serialize;
use store::{Act, CostLine, Store};
use utoipa::ToSchema;

use crate::capacity::{self, CapacityReport};
use crate::fair_use::{self, FairUseQuery, FairUseReport};
use crate::history::{self, TenantHistory};
use crate::statements::{self, BillQuery, Closed, Preview, Rule, ShareLine, Statement};
use crate::usage::{self, UsageQuery, UsageReport};
use crate::{BillingError, Settings};

type Result<T> = std::result::Result<T, BillingError>;

/// The co-op's billing over one store, with its settings.
#[derive(Debug, Clone)]
pub struct Billing {
    store: Store,
    settings: Settings,
}

/// A cost in a month's pool, or an organisation's contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Cost {
    pub period: String,
    pub label: String,
    pub cents: i64,
    /// The organisation credited, for a contribution; none for a cost.
    pub org: Option<String>,
}

/// A closed month, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ClosedPeriod {
    pub period: String,
    pub currency: Option<String>,
    pub rule: Rule,
    pub pool_cents: i64,
    pub organisations: usize,
    pub closed_at: i64,
    pub audit_head: Option<String>,
}

/// One organisation's part of a closed month: what it is told, without
/// the other organisations' lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = OrganisationStatement)]
pub struct OrgStatement {
    pub period: String,
    pub currency: Option<String>,
    pub rule: Rule,
    pub pool_cents: i64,
    pub share: ShareLine,
    pub closed_at: i64,
    pub audit_head: Option<String>,
}

impl OrgStatement {
    fn of(closed: &Closed, org: &str) -> Option<Self> {
        let s = &closed.statement;
        let share = s.shares.iter().find(|l| l.org == org)?.clone();
        Some(Self {
            period: s.period.clone(),
            currency: s.currency.clone(),
            rule: s.rule,
            pool_cents: s.pool_cents,
            share,
            closed_at: closed.closed_at,
            audit_head: closed.audit_head.clone(),
        })
    }
}

/// Asks the access rules; what the actor may not learn exists answers as
/// `missing` does.
fn allow(actor: &Actor, action: Action<'_>, missing: impl FnOnce() -> BillingError) -> Result<()> {
    actor.may(action).map_err(|r| match r {
        Refusal::Forbidden(why) => BillingError::Forbidden(why),
        Refusal::Hidden => missing(),
    })
}

fn read_operations(actor: &Actor) -> Result<()> {
    allow(actor, Action::ReadOperations, || {
        BillingError::Forbidden("only operators see the whole platform".into())
    })
}

fn operate(actor: &Actor) -> Result<()> {
    allow(actor, Action::Operate, || {
        BillingError::Forbidden("only operators run the platform".into())
    })
}

impl Billing {
    pub fn new(store: Store, settings: Settings) -> Self {
        Self { store, settings }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The month `YYYY-MM` (or the one holding `now_ms`) in the co-op's zone.
    pub fn period(&self, month: Option<&str>, now_ms: i64) -> Result<Period> {
        Ok(metering::period::month(month, &self.settings.zone, now_ms)?)
    }

    /// An organisation the actor may read the things of; one they may not
    /// answers like one that does not exist.
    async fn own_organisation(&self, actor: &Actor, org: &str) -> Result<()> {
        let missing = || BillingError::NoOrganisation(org.to_string());
        allow(actor, Action::ReadOwn(Owner::Organisation(org)), missing)?;
        let names = self.store.organisation_names().await?;
        if names.values().any(|n| n == org) {
            Ok(())
        } else {
            Err(missing())
        }
    }

    /// A tenant the actor may read the use of (its organisation's admin,
    /// operators); one they may not answers like one that does not exist.
    async fn own_tenant(&self, actor: &Actor, tenant: &str) -> Result<()> {
        let missing = || BillingError::NoTenant(tenant.to_string());
        let found = self
            .store
            .tenant_by_name(tenant)
            .await?
            .ok_or_else(missing)?;
        let orgs = self.store.organisation_names().await?;
        let owner = found
            .org_id
            .and_then(|id| orgs.get(&id))
            .map_or(Owner::Nobody, |o| Owner::Organisation(o));
        allow(actor, Action::ReadOwn(owner), missing)
    }

    /// A tenant's use per local day of `month` and per month over the
    /// `months` months ending with it, for whoever may read its usage.
    pub async fn tenant_history(
        &self,
        actor: &Actor,
        tenant: &str,
        month: &Period,
        months: usize,
    ) -> Result<TenantHistory> {
        self.own_tenant(actor, tenant).await?;
        let months = history::months_up_to(month, months, &self.settings.zone)?;
        history::of_tenant(&self.store, &self.settings, tenant, &months).await
    }

    /// A usage report: the whole platform for operators; with an
    /// organisation or one of its tenants named, for its admin too.
    pub async fn usage(&self, actor: &Actor, query: &UsageQuery) -> Result<UsageReport> {
        if let Some(tenant) = &query.tenant {
            self.own_tenant(actor, tenant).await?;
        }
        match &query.org {
            Some(org) => self.own_organisation(actor, org).await?,
            None if query.tenant.is_none() => read_operations(actor)?,
            None => {}
        }
        usage::report(&self.store, &self.settings, query).await
    }

    /// The fair-use listing: every tenant's for operators; with
    /// `query.org`, that organisation's tenants, for its admin too.
    pub async fn fair_use(&self, actor: &Actor, query: &FairUseQuery) -> Result<FairUseReport> {
        match &query.org {
            Some(org) => self.own_organisation(actor, org).await?,
            None => read_operations(actor)?,
        }
        fair_use::list(&self.store, &self.settings, query).await
    }

    /// Each pool's capacity against its peak, for operators.
    pub async fn capacity(&self, actor: &Actor, period: &Period) -> Result<CapacityReport> {
        read_operations(actor)?;
        capacity::report(&self.store, &self.settings, period).await
    }

    /// A month's costs and contributions, in the order they were added.
    pub async fn costs(&self, actor: &Actor, month: Month) -> Result<Vec<Cost>> {
        read_operations(actor)?;
        let orgs: HashMap<i64, String> = self.store.organisation_names().await?;
        Ok(self
            .store
            .cost_lines(&month.to_string())
            .await?
            .into_iter()
            .map(|l| Cost {
                org: l.org_id.and_then(|id| orgs.get(&id).cloned()),
                period: l.period,
                label: l.label,
                cents: l.cents,
            })
            .collect())
    }

    /// Adds a cost to a month's pool, or with `org` credits that
    /// organisation's contribution; audited under the actor's name.
    pub async fn add_cost(
        &self,
        actor: &Actor,
        month: Month,
        label: &str,
        amount: Cents,
        org: Option<&str>,
        at_ms: i64,
    ) -> Result<Cost> {
        operate(actor)?;
        let label = label.trim();
        if label.is_empty() {
            return Err(BillingError::Invalid("a cost needs a label".into()));
        }
        if amount.0 < 0 {
            return Err(BillingError::Invalid("an amount is not negative".into()));
        }
        let org_id = match org {
            Some(name) => Some(
                self.store
                    .organisation_names()
                    .await?
                    .into_iter()
                    .find(|(_, n)| n == name)
                    .ok_or_else(|| BillingError::NoOrganisation(name.to_string()))?
                    .0,
            ),
            None => None,
        };
        let line = CostLine {
            period: month.to_string(),
            label: label.to_string(),
            cents: amount.0,
            org_id,
        };
        self.store
            .add_cost_line(&line, &Act::new(actor.name(), at_ms))
            .await?;
        Ok(Cost {
            period: line.period,
            label: line.label,
            cents: line.cents,
            org: org.map(str::to_string),
        })
    }

    /// The statement a month would get if it closed now, for operators.
    pub async fn preview(&self, actor: &Actor, query: &BillQuery) -> Result<Preview> {
        read_operations(actor)?;
        statements::preview(&self.store, &self.settings, query).await
    }

    /// Computes and freezes a month's statement; audited under the actor's
    /// name.
    pub async fn close(&self, actor: &Actor, query: &BillQuery, at_ms: i64) -> Result<Closed> {
        operate(actor)?;
        let act = Act::new(actor.name(), at_ms);
        statements::close(&self.store, &self.settings, query, &act).await
    }

    /// Every closed month, for operators.
    pub async fn statements(&self, actor: &Actor) -> Result<Vec<ClosedPeriod>> {
        read_operations(actor)?;
        Ok(self
            .closed()
            .await?
            .into_iter()
            .map(|c| ClosedPeriod {
                organisations: c.statement.shares.len(),
                period: c.statement.period,
                currency: c.statement.currency,
                rule: c.statement.rule,
                pool_cents: c.statement.pool_cents,
                closed_at: c.closed_at,
                audit_head: c.audit_head,
            })
            .collect())
    }

    /// A closed month's whole statement, for operators.
    pub async fn statement(&self, actor: &Actor, month: Month) -> Result<Closed> {
        read_operations(actor)?;
        statements::show(&self.store, &month.to_string()).await
    }

    /// An organisation's part of every closed month it had a share in.
    pub async fn statements_of(&self, actor: &Actor, org: &str) -> Result<Vec<OrgStatement>> {
        self.own_organisation(actor, org).await?;
        Ok(self
            .closed()
            .await?
            .iter()
            .filter_map(|c| OrgStatement::of(c, org))
            .collect())
    }

    /// An organisation's part of a closed month.
    pub async fn statement_of(
        &self,
        actor: &Actor,
        org: &str,
        month: Month,
    ) -> Result<OrgStatement> {
        self.own_organisation(actor, org).await?;
        let period = month.to_string();
        let closed = statements::show(&self.store, &period).await?;
        OrgStatement::of(&closed, org).ok_or(BillingError::NoShare {
            org: org.to_string(),
            period,
        })
    }

    async fn closed(&self) -> Result<Vec<Closed>> {
        self.store
            .statements()
            .await?
            .into_iter()
            .map(|(period, c)| {
                Ok(Closed {
                    statement: Statement::from_json(&period, &c.body)?,
                    closed_at: c.closed_at,
                    audit_head: c.audit_head,
                })
            })
            .collect()
    }
}
