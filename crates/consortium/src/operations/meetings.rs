//! Meetings running now: operators see them all, an organisation's admin
//! those of its tenants. A meeting is named as its tenant knows it, never
//! by the namespaced ID its server knows.

use std::collections::HashMap;

use super::{Use, owner_of};
use crate::{Actor, Consortium, Result};

/// A live meeting as its tenant knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingView {
    pub tenant: String,
    /// The tenant's own meeting ID.
    pub meeting_id: String,
    pub server_id: i64,
    /// In the main room at the last poll; 0 before the first.
    pub participants: i64,
    pub webcams: i64,
    pub started_at: i64,
}

impl Consortium {
    /// The live meetings the actor sees, oldest first; with `tenant`, only
    /// that tenant's, which must be one the actor may read.
    pub async fn live_meetings(
        &self,
        actor: &Actor,
        tenant: Option<&str>,
    ) -> Result<Vec<MeetingView>> {
        let orgs = self.store.organisation_names().await?;
        let only = match tenant {
            Some(name) => Some(self.tenant_for(actor, name, Use::Read, &orgs).await?.id),
            None => None,
        };
        let tenants: HashMap<i64, _> = self
            .store
            .tenants()
            .await?
            .into_iter()
            .filter(|t| only.is_none_or(|id| id == t.id) && actor.sees(owner_of(t, &orgs)))
            .map(|t| (t.id, t.name))
            .collect();
        Ok(self
            .store
            .live_meetings()
            .await?
            .into_iter()
            .filter_map(|m| {
                Some(MeetingView {
                    tenant: tenants.get(&m.record.tenant_id)?.clone(),
                    meeting_id: m.record.meeting_id,
                    server_id: m.record.server_id,
                    participants: m.participants,
                    webcams: m.webcams,
                    started_at: m.record.created_at,
                })
            })
            .collect())
    }
}
