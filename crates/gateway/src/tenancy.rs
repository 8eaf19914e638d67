//! Which tenant a request is for.

use store::{StoreError, Tenant};

use crate::Gateway;

impl Gateway {
    /// A `/t/<tenant>` path wins; then an exact tenant host name; then the
    /// first DNS label under the base domain; then the fallback tenant.
    pub(crate) async fn resolve_tenant(
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
