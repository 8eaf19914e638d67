//! Tenants: one BBB API endpoint of an organisation, its secrets and its
//! parameter rules.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use serde_json::json;

use crate::audit::{Act, Change, fingerprint};
use crate::{Result, Store, StoreError, flag, found};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub host: Option<String>,
    pub pool: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub org_id: Option<i64>,
    /// No tier: no limits.
    pub tier_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewTenant<'a> {
    pub name: &'a str,
    pub host: Option<&'a str>,
    pub pool: Option<&'a str>,
    pub secret: &'a str,
}

/// Whose a new tenant is and its tier, set as it is created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenantPlace {
    pub org_id: Option<i64>,
    pub tier_id: Option<i64>,
}

/// Fields an operator may change on a tenant; `None` keeps the value,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TenantPatch<'a> {
    pub org_id: Option<Option<i64>>,
    pub tier_id: Option<Option<i64>>,
    pub pool: Option<Option<&'a str>>,
    pub host: Option<Option<&'a str>>,
}

/// Scalelite's semantics: a default applies when the caller sent nothing, an
/// override replaces what the caller sent, an exclusion drops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamMode {
    Default,
    Override,
    Exclude,
}

impl ParamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Override => "override",
            Self::Exclude => "exclude",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Default, Self::Override, Self::Exclude]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRule {
    /// `create` or `join`.
    pub call: String,
    pub mode: ParamMode,
    pub param: String,
    pub value: String,
}

const TENANT_COLUMNS: &str = "id, name, host, pool, enabled, created_at, org_id, tier_id";

fn tenant_from(row: &AnyRow) -> Result<Tenant> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        host: row.try_get("host")?,
        pool: row.try_get("pool")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        created_at: row.try_get("created_at")?,
        org_id: row.try_get("org_id")?,
        tier_id: row.try_get("tier_id")?,
    })
}

impl Store {
    /// Creates a tenant of no organisation and no tier with its first secret.
    pub async fn create_tenant(&self, new: NewTenant<'_>, act: &Act) -> Result<Tenant> {
        self.create_tenant_in(new, TenantPlace::default(), act)
            .await
    }

    /// Creates a tenant with its first secret, its organisation and its
    /// tier, in one audited change.
    pub async fn create_tenant_in(
        &self,
        new: NewTenant<'_>,
        place: TenantPlace,
        act: &Act,
    ) -> Result<Tenant> {
        let mut tx = self.begin_audited().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO tenants (name, host, pool, enabled, created_at, org_id, tier_id) \
             VALUES ($1, $2, $3, 1, $4, $5, $6) RETURNING {TENANT_COLUMNS}"
        )))
        .bind(new.name)
        .bind(new.host)
        .bind(new.pool)
        .bind(act.at_ms)
        .bind(place.org_id)
        .bind(place.tier_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("tenant {:?} (or its host)", new.name)))?;
        let tenant = tenant_from(&row)?;
        sqlx::query(
            "INSERT INTO tenant_secrets (tenant_id, secret, created_at) VALUES ($1, $2, $3)",
        )
        .bind(tenant.id)
        .bind(new.secret)
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "tenant.create",
            subject: tenant.subject(),
            detail: json!({"host": new.host, "pool": new.pool, "secret": fingerprint(new.secret),
                "org_id": place.org_id, "tier_id": place.tier_id}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(tenant)
    }

    /// Changes what the patch names in one audited change. Running
    /// meetings keep their server and limits; new ones follow the change.
    pub async fn update_tenant(
        &self,
        name: &str,
        patch: TenantPatch<'_>,
        act: &Act,
    ) -> Result<Tenant> {
        let mut tx = self.begin_audited().await?;
        let current = self.tenant(name).await?;
        let host = patch.host.unwrap_or(current.host.as_deref());
        sqlx::query(
            "UPDATE tenants SET org_id = $1, tier_id = $2, pool = $3, host = $4 WHERE id = $5",
        )
        .bind(patch.org_id.unwrap_or(current.org_id))
        .bind(patch.tier_id.unwrap_or(current.tier_id))
        .bind(patch.pool.unwrap_or(current.pool.as_deref()))
        .bind(host)
        .bind(current.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("a tenant with host {host:?}")))?;
        let change = Change {
            kind: "tenant.update",
            subject: current.subject(),
            detail: json!({"org_id": patch.org_id, "tier_id": patch.tier_id,
                "pool": patch.pool, "host": patch.host}),
        };
        Self::commit_audited(tx, act, change).await?;
        self.tenant(name).await
    }

    pub async fn tenant_by_name(&self, name: &str) -> Result<Option<Tenant>> {
        self.tenant_where("name = $1", name).await
    }

    pub async fn tenant_by_host(&self, host: &str) -> Result<Option<Tenant>> {
        self.tenant_where("host = $1", host).await
    }

    async fn tenant_where(&self, condition: &str, value: &str) -> Result<Option<Tenant>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE {condition}"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(tenant_from)
        .transpose()
    }

    pub async fn tenant(&self, name: &str) -> Result<Tenant> {
        self.tenant_by_name(name)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("tenant {name:?}")))
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {TENANT_COLUMNS} FROM tenants ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(tenant_from)
        .collect()
    }

    pub async fn set_tenant_enabled(&self, name: &str, enabled: bool, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query("UPDATE tenants SET enabled = $1 WHERE name = $2")
            .bind(flag(enabled))
            .bind(name)
            .execute(&mut *tx)
            .await?;
        found(done, || format!("tenant {name:?}"))?;
        let change = Change {
            kind: if enabled {
                "tenant.enable"
            } else {
                "tenant.disable"
            },
            subject: format!("tenant:{name}"),
            detail: json!({}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// The tenant's secrets, oldest first.
    pub async fn tenant_secrets(&self, tenant_id: i64) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT secret FROM tenant_secrets WHERE tenant_id = $1 ORDER BY id",
            )
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    pub async fn add_tenant_secret(&self, tenant: &Tenant, secret: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        sqlx::query(
            "INSERT INTO tenant_secrets (tenant_id, secret, created_at) VALUES ($1, $2, $3)",
        )
        .bind(tenant.id)
        .bind(secret)
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "this secret"))?;
        let change = Change {
            kind: "tenant.secret.add",
            subject: tenant.subject(),
            detail: json!({"secret": fingerprint(secret)}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Removes the secret, refusing to remove the last one: a tenant without a
    /// secret could never be used again.
    pub async fn remove_tenant_secret(
        &self,
        tenant: &Tenant,
        secret: &str,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM tenant_secrets WHERE tenant_id = $1",
        )
        .bind(tenant.id)
        .fetch_one(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM tenant_secrets WHERE tenant_id = $1 AND secret = $2")
            .bind(tenant.id)
            .bind(secret)
            .execute(&mut *tx)
            .await?;
        found(done, || "that secret on this tenant".into())?;
        if count <= 1 {
            return Err(StoreError::Conflict(
                "the tenant's last secret; add another one first".into(),
            ));
        }
        let change = Change {
            kind: "tenant.secret.remove",
            subject: tenant.subject(),
            detail: json!({"secret": fingerprint(secret)}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    pub async fn tenant_param_rules(&self, tenant_id: i64) -> Result<Vec<ParamRule>> {
        let rows = sqlx::query(
            "SELECT call, mode, param, value FROM tenant_params WHERE tenant_id = $1 ORDER BY call, mode, param",
        )
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let mode: String = r.try_get("mode")?;
                Ok(ParamRule {
                    call: r.try_get("call")?,
                    mode: ParamMode::parse(&mode)
                        .ok_or_else(|| StoreError::Corrupt(format!("parameter mode {mode:?}")))?,
                    param: r.try_get("param")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    pub async fn set_tenant_param_rule(
        &self,
        tenant: &Tenant,
        rule: &ParamRule,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        sqlx::query(
            "INSERT INTO tenant_params (tenant_id, call, mode, param, value) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, call, mode, param) DO UPDATE SET value = excluded.value",
        )
        .bind(tenant.id)
        .bind(&rule.call)
        .bind(rule.mode.as_str())
        .bind(&rule.param)
        .bind(&rule.value)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "tenant.param.set",
            subject: tenant.subject(),
            detail: json!({"call": rule.call, "mode": rule.mode.as_str(), "param": rule.param, "value": rule.value}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    pub async fn remove_tenant_param_rule(
        &self,
        tenant: &Tenant,
        call: &str,
        mode: ParamMode,
        param: &str,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        sqlx::query(
            "DELETE FROM tenant_params WHERE tenant_id = $1 AND call = $2 AND mode = $3 AND param = $4",
        )
        .bind(tenant.id)
        .bind(call)
        .bind(mode.as_str())
        .bind(param)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "tenant.param.remove",
            subject: tenant.subject(),
            detail: json!({"call": call, "mode": mode.as_str(), "param": param}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }
}

impl Tenant {
    /// How the audit log names this tenant.
    pub fn subject(&self) -> String {
        format!("tenant:{}", self.name)
    }
}
