//! The platform's operations as every face reaches them: tenants and their
//! secrets, servers and tiers, each asked of the access rules first. What
//! an organisation admin may not see answers exactly like a missing thing.

use std::collections::HashMap;
use std::fmt::Write as _;

use store::{Act, AuditEntry, Server, ServerState, Tenant, Tier, fingerprint};

use crate::access::{Action, Actor, Owner};
use crate::{Consortium, ConsortiumError, Result};

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

fn operate(actor: &Actor) -> Result<()> {
    actor.may(Action::Operate).map_err(|r| r.into_error("it"))
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
        let generated = secret.is_none();
        let secret = secret.unwrap_or_else(generate_secret);
        check_secret(&secret)?;
        self.store
            .add_tenant_secret(&tenant, &secret, &Act::new(actor.name(), at_ms))
            .await?;
        Ok(NewSecret {
            fingerprint: fingerprint(&secret),
            secret,
            generated,
        })
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

    /// The servers, for operators.
    pub async fn servers(&self, actor: &Actor) -> Result<Vec<Server>> {
        actor
            .may(Action::ReadOperations)
            .map_err(|r| r.into_error("servers"))?;
        Ok(self.store.servers().await?)
    }

    /// Enables, cordons or disables a server.
    pub async fn set_server_state(
        &self,
        actor: &Actor,
        id: i64,
        state: ServerState,
        at_ms: i64,
    ) -> Result<()> {
        operate(actor)?;
        Ok(self
            .store
            .set_server_state(id, state, &Act::new(actor.name(), at_ms))
            .await?)
    }

    /// Releases every meeting of a server that is failing, so their next
    /// create lands elsewhere, and disables it unless `keep_state`;
    /// answers how many meetings were released.
    pub async fn panic_server(
        &self,
        actor: &Actor,
        id: i64,
        keep_state: bool,
        at_ms: i64,
    ) -> Result<u64> {
        operate(actor)?;
        self.store.server(id).await?;
        let released = self.store.release_server_meetings(id, at_ms).await?;
        if !keep_state {
            self.store
                .set_server_state(id, ServerState::Disabled, &Act::new(actor.name(), at_ms))
                .await?;
        }
        Ok(released)
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

    /// A page of the audit log, oldest first, after entry `after`.
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        subject: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        actor
            .may(Action::ReadOperations)
            .map_err(|r| r.into_error("audit log"))?;
        Ok(self.store.audit_entries(subject, after, limit).await?)
    }

    /// The tiers organisations choose from.
    pub async fn tiers(&self, actor: &Actor) -> Result<Vec<Tier>> {
        actor
            .may(Action::ReadTiers)
            .map_err(|r| r.into_error("tiers"))?;
        Ok(self.store.tiers().await?)
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
