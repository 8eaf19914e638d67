//! The platform's operations as every face reaches them: tenants and their
//! secrets, servers, pools, live meetings, tiers and the audit log, each
//! asked of the access rules first. What an organisation admin may not see
//! answers exactly like a missing thing.

mod audit;
mod meetings;
mod pools;
mod servers;
mod tiers;

use std::collections::HashMap;
use std::fmt::Write as _;

use store::{Act, NewTenant, Tenant, TenantPatch, TenantPlace, fingerprint};

use crate::access::{Action, Actor, Owner};
use crate::{Consortium, ConsortiumError, Result};

pub use audit::MAX_AUDIT_PAGE;
pub use meetings::MeetingView;
pub use pools::Pool;
pub use servers::{
    DEFAULT_ALGORITHM, DEFAULT_CAPACITY, DEFAULT_WEIGHT, NewServerSettings, ServerChange,
    ServerView,
};
pub use tiers::{TierChange, blank_tier};

/// A tenant with the names of what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantView {
    pub tenant: Tenant,
    pub organisation: Option<String>,
    pub tier: Option<String>,
    /// The fingerprints of its secrets, oldest first: never the secrets.
    pub secret_fingerprints: Vec<String>,
}

impl TenantView {
    /// The path of its BBB API, to paste into Greenlight after the public
    /// address.
    pub fn endpoint_path(&self) -> String {
        format!("/t/{}/bigbluebutton/api/", self.tenant.name)
    }
}

/// A secret just added: the only time it is at hand.
pub struct NewSecret {
    pub secret: String,
    pub fingerprint: String,
    /// Whether Plenary made it (then it must be shown, once).
    pub generated: bool,
}

impl NewSecret {
    /// The secret given, checked, or a new one.
    fn of(given: Option<String>) -> Result<Self> {
        let generated = given.is_none();
        let secret = given.unwrap_or_else(generate_secret);
        check_secret(&secret)?;
        Ok(Self {
            fingerprint: fingerprint(&secret),
            secret,
            generated,
        })
    }
}

/// A new random secret, as long as the ones `bbb-conf` generates.
pub fn generate_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A secret a front end can send: long enough, without spaces.
pub fn check_secret(secret: &str) -> Result<()> {
    if secret.len() < 8 || secret.chars().any(char::is_whitespace) {
        return Err(ConsortiumError::Invalid(
            "a secret must be at least 8 characters, without spaces".into(),
        ));
    }
    Ok(())
}

/// A tenant to create: its name, and what it belongs to; Plenary makes its
/// first secret when none is given.
#[derive(Clone, Default)]
pub struct NewTenantSettings {
    pub name: String,
    pub secret: Option<String>,
    pub organisation: Option<String>,
    pub tier: Option<String>,
    /// Pins its meetings to this pool's servers.
    pub pool: Option<String>,
    /// An exact host name that names the tenant.
    pub host: Option<String>,
}

/// What to change of a tenant; `None` keeps it, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TenantChange {
    pub organisation: Option<Option<String>>,
    pub tier: Option<Option<String>>,
    pub pool: Option<Option<String>>,
    pub host: Option<Option<String>>,
}

/// A tenant just created, with its first secret.
pub struct CreatedTenant {
    pub tenant: TenantView,
    pub secret: NewSecret,
}

/// A host name as stored: trimmed and lower-case, none when empty.
fn host_name(host: Option<&str>) -> Result<Option<String>> {
    let Some(host) = host.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'))
    {
        return Err(ConsortiumError::Invalid(format!(
            "{host:?} is not a host name such as rooms.school.example"
        )));
    }
    Ok(Some(host.to_ascii_lowercase()))
}

fn operate(actor: &Actor) -> Result<()> {
    actor.may(Action::Operate).map_err(|r| r.into_error("it"))
}

fn read_operations(actor: &Actor, what: &str) -> Result<()> {
    actor
        .may(Action::ReadOperations)
        .map_err(|r| r.into_error(what))
}

/// What a caller wants of a tenant.
#[derive(Clone, Copy)]
enum Use {
    Read,
    Rotate,
}

fn owner_of<'a>(tenant: &Tenant, orgs: &'a HashMap<i64, String>) -> Owner<'a> {
    tenant
        .org_id
        .and_then(|id| orgs.get(&id))
        .map_or(Owner::Nobody, |name| Owner::Organisation(name))
}

impl Consortium {
    /// The tenants the actor sees: an operator's are all of them, an
    /// admin's those of their organisations.
    pub async fn tenants(&self, actor: &Actor) -> Result<Vec<TenantView>> {
        let orgs = self.store.organisation_names().await?;
        let tiers = self.tier_names().await?;
        let mut seen = Vec::new();
        for tenant in self.store.tenants().await? {
            if actor.sees(owner_of(&tenant, &orgs)) {
                seen.push(self.tenant_view(tenant, &orgs, &tiers).await?);
            }
        }
        Ok(seen)
    }

    /// One tenant the actor may read; another organisation's answers like
    /// a missing one.
    pub async fn tenant(&self, actor: &Actor, name: &str) -> Result<TenantView> {
        let orgs = self.store.organisation_names().await?;
        let tenant = self.tenant_for(actor, name, Use::Read, &orgs).await?;
        self.tenant_view(tenant, &orgs, &self.tier_names().await?)
            .await
    }

    /// Creates a tenant with its organisation, tier, pool and host in one
    /// audited change, and answers its first secret: the only time it is
    /// at hand.
    pub async fn create_tenant(
        &self,
        actor: &Actor,
        new: NewTenantSettings,
        at_ms: i64,
    ) -> Result<CreatedTenant> {
        operate(actor)?;
        let name =
            fleet::owners::TenantName::parse(new.name.trim()).map_err(ConsortiumError::Invalid)?;
        let host = host_name(new.host.as_deref())?;
        let secret = NewSecret::of(new.secret)?;
        // Resolved first, so a typo never leaves a half-made tenant behind.
        let place = TenantPlace {
            org_id: self.organisation_id(new.organisation.as_deref()).await?,
            tier_id: self.tier_id(new.tier.as_deref()).await?,
        };
        let tenant = self
            .store
            .create_tenant_in(
                NewTenant {
                    name: name.as_str(),
                    host: host.as_deref(),
                    pool: servers::pool_name(new.pool.as_deref()),
                    secret: &secret.secret,
                },
                place,
                &Act::new(actor.name(), at_ms),
            )
            .await?;
        let orgs = self.store.organisation_names().await?;
        Ok(CreatedTenant {
            tenant: self
                .tenant_view(tenant, &orgs, &self.tier_names().await?)
                .await?,
            secret,
        })
    }

    /// Changes a tenant's organisation, tier, pool or host in one audited
    /// change; running meetings keep their server and limits.
    pub async fn set_tenant(
        &self,
        actor: &Actor,
        name: &str,
        change: TenantChange,
        at_ms: i64,
    ) -> Result<TenantView> {
        operate(actor)?;
        let host = match &change.host {
            Some(host) => Some(host_name(host.as_deref())?),
            None => None,
        };
        let org_id = match &change.organisation {
            Some(org) => Some(self.organisation_id(org.as_deref()).await?),
            None => None,
        };
        let tier_id = match &change.tier {
            Some(tier) => Some(self.tier_id(tier.as_deref()).await?),
            None => None,
        };
        let tenant = self
            .store
            .update_tenant(
                name,
                TenantPatch {
                    org_id,
                    tier_id,
                    pool: change
                        .pool
                        .as_ref()
                        .map(|p| servers::pool_name(p.as_deref())),
                    host: host.as_ref().map(Option::as_deref),
                },
                &Act::new(actor.name(), at_ms),
            )
            .await?;
        let orgs = self.store.organisation_names().await?;
        self.tenant_view(tenant, &orgs, &self.tier_names().await?)
            .await
    }

    /// Adds a secret to a tenant (a new one when `secret` is `None`); the
    /// others keep working, so front ends move over one by one.
    pub async fn add_tenant_secret(
        &self,
        actor: &Actor,
        name: &str,
        secret: Option<String>,
        at_ms: i64,
    ) -> Result<NewSecret> {
        let orgs = self.store.organisation_names().await?;
        let tenant = self.tenant_for(actor, name, Use::Rotate, &orgs).await?;
        let secret = NewSecret::of(secret)?;
        self.store
            .add_tenant_secret(&tenant, &secret.secret, &Act::new(actor.name(), at_ms))
            .await?;
        Ok(secret)
    }

    /// Removes a tenant's secret, named by itself or its fingerprint;
    /// answers the fingerprint removed.
    pub async fn remove_tenant_secret(
        &self,
        actor: &Actor,
        name: &str,
        which: &str,
        at_ms: i64,
    ) -> Result<String> {
        let orgs = self.store.organisation_names().await?;
        let tenant = self.tenant_for(actor, name, Use::Rotate, &orgs).await?;
        let secrets = self.store.tenant_secrets(tenant.id).await?;
        let target = secrets
            .iter()
            .find(|s| s.as_str() == which || fingerprint(s) == which)
            .ok_or_else(|| {
                ConsortiumError::NotFound(format!("secret {which:?} of tenant {name}"))
            })?;
        self.store
            .remove_tenant_secret(&tenant, target, &Act::new(actor.name(), at_ms))
            .await?;
        Ok(fingerprint(target))
    }

    /// Enables or disables a tenant: a disabled one's calls fail, its
    /// running meetings continue.
    pub async fn set_tenant_enabled(
        &self,
        actor: &Actor,
        name: &str,
        enabled: bool,
        at_ms: i64,
    ) -> Result<()> {
        operate(actor)?;
        Ok(self
            .store
            .set_tenant_enabled(name, enabled, &Act::new(actor.name(), at_ms))
            .await?)
    }

    /// The tenant `name`, if the actor may do `action` to it; hidden ones
    /// answer exactly like missing ones.
    async fn tenant_for(
        &self,
        actor: &Actor,
        name: &str,
        wanted: Use,
        orgs: &HashMap<i64, String>,
    ) -> Result<Tenant> {
        let missing = || ConsortiumError::NotFound(format!("tenant {name:?}"));
        let tenant = self.store.tenant_by_name(name).await?.ok_or_else(missing)?;
        actor
            .may(match wanted {
                Use::Read => Action::ReadOwn(owner_of(&tenant, orgs)),
                Use::Rotate => Action::RotateSecret(owner_of(&tenant, orgs)),
            })
            .map_err(|r| r.into_error(format!("tenant {name:?}")))?;
        Ok(tenant)
    }

    async fn tier_id(&self, name: Option<&str>) -> Result<Option<i64>> {
        Ok(match name {
            Some(name) => Some(self.store.tier(name).await?.id),
            None => None,
        })
    }

    async fn tier_names(&self) -> Result<HashMap<i64, String>> {
        Ok(self
            .store
            .tiers()
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect())
    }

    async fn tenant_view(
        &self,
        tenant: Tenant,
        orgs: &HashMap<i64, String>,
        tiers: &HashMap<i64, String>,
    ) -> Result<TenantView> {
        let secrets = self.store.tenant_secrets(tenant.id).await?;
        Ok(TenantView {
            organisation: tenant.org_id.and_then(|id| orgs.get(&id).cloned()),
            tier: tenant.tier_id.and_then(|id| tiers.get(&id).cloned()),
            secret_fingerprints: secrets.iter().map(|s| fingerprint(s)).collect(),
            tenant,
        })
    }
}
