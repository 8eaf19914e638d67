//! Which tenant a request is for, and its secrets.
//!
//! Every BBB call needs them (and creates and joins the tenant's parameter
//! rules), so they are cached for a short, configurable time: an
//! operator's change (a disabled tenant, a removed secret) takes effect
//! within that time on every instance, and at once where the database
//! notifies changes (PostgreSQL), through [`Gateway::forget_tenants`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use store::{ParamRule, StoreError, Tenant};

use crate::Gateway;

/// A tenant with the secrets its front ends sign with and its own
/// parameter rules.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub tenant: Tenant,
    pub secrets: Vec<String>,
    pub rules: Vec<ParamRule>,
}

/// A request's `Host` header and `/t/<tenant>` path segment.
type Key = (Option<String>, Option<String>);

/// Positive lookups only, so an unknown name always reaches the database.
pub(crate) struct TenantCache {
    ttl: Duration,
    entries: Mutex<HashMap<Key, (Instant, Arc<Resolved>)>>,
}

/// Random `Host` headers resolving to the fallback tenant must not grow the cache without bound.
const MAX_ENTRIES: usize = 4096;

impl TenantCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl Gateway {
    /// Drops every cached tenant, for a change made elsewhere: the next
    /// request of each reads it again.
    pub fn forget_tenants(&self) {
        self.tenants.entries.lock().expect("tenant cache").clear();
    }

    /// The tenant of a request with its secrets, from the cache when fresh.
    pub(crate) async fn tenant_for(
        &self,
        host: Option<&str>,
        path_tenant: Option<&str>,
    ) -> Result<Option<Arc<Resolved>>, StoreError> {
        let key = (host.map(str::to_string), path_tenant.map(str::to_string));
        if !self.tenants.ttl.is_zero()
            && let Some((at, hit)) = self.tenants.entries.lock().expect("tenant cache").get(&key)
            && at.elapsed() < self.tenants.ttl
        {
            return Ok(Some(hit.clone()));
        }
        let Some(tenant) = self.resolve_tenant(host, path_tenant).await? else {
            return Ok(None);
        };
        let secrets = self.store.tenant_secrets(tenant.id).await?;
        let rules = self.store.tenant_param_rules(tenant.id).await?;
        let resolved = Arc::new(Resolved {
            tenant,
            secrets,
            rules,
        });
        if !self.tenants.ttl.is_zero() {
            let mut entries = self.tenants.entries.lock().expect("tenant cache");
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), resolved.clone()));
        }
        Ok(Some(resolved))
    }

    /// A `/t/<tenant>` path wins; then an exact tenant host name; then the
    /// first DNS label under the base domain; then the fallback tenant.
    async fn resolve_tenant(
        &self,
        host: Option<&str>,
        path_tenant: Option<&str>,
    ) -> Result<Option<Tenant>, StoreError> {
        if let Some(name) = path_tenant {
            return self.store.tenant_by_name(name).await;
        }
        if let Some(host) = host.map(strip_port).map(str::to_ascii_lowercase) {
            if let Some(t) = self.store.tenant_by_host(&host).await? {
                return Ok(Some(t));
            }
            if let Some(label) = self
                .config
                .base_domain
                .as_deref()
                .and_then(|base| first_label_under(&host, base))
            {
                return self.store.tenant_by_name(label).await;
            }
        }
        match &self.config.fallback_tenant {
            Some(name) => self.store.tenant_by_name(name).await,
            None => Ok(None),
        }
    }
}

/// The host name of a `Host` header, without its port.
fn strip_port(host: &str) -> &str {
    if let Some(bracketed) = host.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or(bracketed);
    }
    host.split(':').next().unwrap_or(host)
}

/// `acme` for `acme.bbb.coop.org` under `bbb.coop.org`; nothing for deeper names.
fn first_label_under<'h>(host: &'h str, base: &str) -> Option<&'h str> {
    let base = base.trim_matches('.').to_ascii_lowercase();
    let label = host.strip_suffix(&base)?.strip_suffix('.')?;
    (!label.is_empty() && !label.contains('.')).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_label_under_the_base_domain_names_the_tenant() {
        assert_eq!(first_label_under("acme.bbb.coop", "bbb.coop"), Some("acme"));
        assert_eq!(
            first_label_under("acme.bbb.coop", ".bbb.coop."),
            Some("acme")
        );
        assert_eq!(first_label_under("x.acme.bbb.coop", "bbb.coop"), None);
        assert_eq!(first_label_under("bbb.coop", "bbb.coop"), None);
        assert_eq!(first_label_under("evilbbb.coop", "bbb.coop"), None);
    }

    #[test]
    fn ports_are_ignored_in_host_names() {
        assert_eq!(strip_port("acme.bbb.coop:8080"), "acme.bbb.coop");
        assert_eq!(strip_port("acme.bbb.coop"), "acme.bbb.coop");
        assert_eq!(strip_port("[::1]:8080"), "::1");
    }
}
