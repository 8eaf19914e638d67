//! Tiers: the service level each tenant gets.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use serde_json::json;

use crate::audit::{Act, Change};
use crate::{Result, Store, StoreError, flag, found};

/// A service level. Limits of 0 mean "no limit".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
    pub currency: String,
    pub participants_per_meeting: i64,
    pub concurrent_meetings: i64,
    pub concurrent_participants: i64,
    pub meeting_minutes: i64,
    pub webcams_per_meeting: i64,
    pub webcams_per_user: i64,
    pub recording: bool,
    pub rooms_per_month: i64,
    /// What its meetings are created without; stored as BBB's comma list.
    pub disabled_features: bbb::DisabledFeatures,
    pub allowance_participant_minutes: i64,
    pub allowance_gb: i64,
}

const TIER_COLUMNS: &str = "id, name, price_cents, currency, participants_per_meeting, concurrent_meetings, \
    concurrent_participants, meeting_minutes, webcams_per_meeting, webcams_per_user, recording, rooms_per_month, \
    disabled_features, allowance_participant_minutes, allowance_gb";

fn tier_from(r: &AnyRow) -> Result<Tier> {
    let name: String = r.try_get("name")?;
    let features: String = r.try_get("disabled_features")?;
    let disabled_features = features
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("tier {name:?}: disabled_features: {e}")))?;
    Ok(Tier {
        id: r.try_get("id")?,
        name,
        price_cents: r.try_get("price_cents")?,
        currency: r.try_get("currency")?,
        participants_per_meeting: r.try_get("participants_per_meeting")?,
        concurrent_meetings: r.try_get("concurrent_meetings")?,
        concurrent_participants: r.try_get("concurrent_participants")?,
        meeting_minutes: r.try_get("meeting_minutes")?,
        webcams_per_meeting: r.try_get("webcams_per_meeting")?,
        webcams_per_user: r.try_get("webcams_per_user")?,
        recording: r.try_get::<i64, _>("recording")? != 0,
        rooms_per_month: r.try_get("rooms_per_month")?,
        disabled_features,
        allowance_participant_minutes: r.try_get("allowance_participant_minutes")?,
        allowance_gb: r.try_get("allowance_gb")?,
    })
}

impl Store {
    pub async fn tiers(&self) -> Result<Vec<Tier>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {TIER_COLUMNS} FROM tiers ORDER BY price_cents, name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(tier_from)
        .collect()
    }

    pub async fn tier(&self, name: &str) -> Result<Tier> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TIER_COLUMNS} FROM tiers WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("tier {name:?}")))?;
        tier_from(&row)
    }

    pub async fn tier_by_id(&self, id: i64) -> Result<Tier> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TIER_COLUMNS} FROM tiers WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("tier {id}")))?;
        tier_from(&row)
    }

    /// Creates a tier, or replaces every value of the tier of that name.
    pub async fn save_tier(&self, t: &Tier, act: &Act) -> Result<Tier> {
        let mut tx = self.begin_audited().await?;
        sqlx::query(
            "INSERT INTO tiers (name, price_cents, currency, participants_per_meeting, concurrent_meetings, \
             concurrent_participants, meeting_minutes, webcams_per_meeting, webcams_per_user, recording, rooms_per_month, \
             disabled_features, allowance_participant_minutes, allowance_gb, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (name) DO UPDATE SET price_cents = excluded.price_cents, currency = excluded.currency, \
             participants_per_meeting = excluded.participants_per_meeting, concurrent_meetings = excluded.concurrent_meetings, \
             concurrent_participants = excluded.concurrent_participants, meeting_minutes = excluded.meeting_minutes, \
             webcams_per_meeting = excluded.webcams_per_meeting, webcams_per_user = excluded.webcams_per_user, \
             recording = excluded.recording, rooms_per_month = excluded.rooms_per_month, \
             disabled_features = excluded.disabled_features, \
             allowance_participant_minutes = excluded.allowance_participant_minutes, allowance_gb = excluded.allowance_gb",
        )
        .bind(&t.name)
        .bind(t.price_cents)
        .bind(&t.currency)
        .bind(t.participants_per_meeting)
        .bind(t.concurrent_meetings)
        .bind(t.concurrent_participants)
        .bind(t.meeting_minutes)
        .bind(t.webcams_per_meeting)
        .bind(t.webcams_per_user)
        .bind(flag(t.recording))
        .bind(t.rooms_per_month)
        .bind(t.disabled_features.to_string())
        .bind(t.allowance_participant_minutes)
        .bind(t.allowance_gb)
        .bind(act.at_ms)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "tier.save",
            subject: format!("tier:{}", t.name),
            detail: json!({"price_cents": t.price_cents, "currency": t.currency,
                "participants_per_meeting": t.participants_per_meeting,
                "concurrent_meetings": t.concurrent_meetings,
                "concurrent_participants": t.concurrent_participants,
                "meeting_minutes": t.meeting_minutes, "webcams_per_meeting": t.webcams_per_meeting,
                "webcams_per_user": t.webcams_per_user, "recording": t.recording,
                "rooms_per_month": t.rooms_per_month, "disabled_features": t.disabled_features.names(),
                "allowance_participant_minutes": t.allowance_participant_minutes,
                "allowance_gb": t.allowance_gb}),
        };
        Self::commit_audited(tx, act, change).await?;
        self.tier(&t.name).await
    }

    /// Moves a tenant to a tier (or to none: no limits). Running meetings
    /// stay as they are; new ones follow the new tier.
    pub async fn set_tenant_tier(&self, tenant: &str, tier: Option<&str>, act: &Act) -> Result<()> {
        let tier_id = match tier {
            Some(name) => Some(self.tier(name).await?.id),
            None => None,
        };
        let detail = json!({"tier": tier});
        self.set_tenant_ref(tenant, ("tier_id", tier_id), "tenant.tier", detail, act)
            .await
    }

    pub async fn set_tenant_organisation(
        &self,
        tenant: &str,
        organisation: Option<&str>,
        act: &Act,
    ) -> Result<()> {
        let org_id = match organisation {
            Some(name) => Some(self.organisation(name).await?.id),
            None => None,
        };
        let detail = json!({"organisation": organisation});
        self.set_tenant_ref(
            tenant,
            ("org_id", org_id),
            "tenant.organisation",
            detail,
            act,
        )
        .await
    }

    async fn set_tenant_ref(
        &self,
        tenant: &str,
        (column, id): (&str, Option<i64>),
        kind: &str,
        detail: serde_json::Value,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE tenants SET {column} = $1 WHERE name = $2"
        )))
        .bind(id)
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
        found(done, || format!("tenant {tenant:?}"))?;
        let change = Change {
            kind,
            subject: format!("tenant:{tenant}"),
            detail,
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    pub async fn record_quota_refusal(
        &self,
        tenant_id: i64,
        reason: &str,
        meeting_id: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO quota_refusals (at, tenant_id, reason, meeting_id) VALUES ($1, $2, $3, $4)")
            .bind(now_ms)
            .bind(tenant_id)
            .bind(reason)
            .bind(meeting_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Refusals per reason for a tenant since `from_ms`.
    pub async fn quota_refusals(&self, tenant_id: i64, from_ms: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT reason, CAST(COUNT(*) AS BIGINT) AS n FROM quota_refusals \
             WHERE tenant_id = $1 AND at >= $2 GROUP BY reason ORDER BY reason",
        )
        .bind(tenant_id)
        .bind(from_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("reason")?, r.try_get("n")?)))
            .collect()
    }
}
