//! The consortium's clockwork, run periodically by the service (and by
//! tests with a moved clock): reminders before closing, closing at the
//! deadline, leaves at the end of their notice.

use governance::time::format_utc;
use store::Act;

use crate::{Consortium, Result};

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Duties {
    pub reminded: Vec<i64>,
    pub closed: Vec<i64>,
    pub left: Vec<String>,
}

impl Consortium {
    pub async fn run_duties(&self, act: &Act) -> Result<Duties> {
        let mut done = Duties::default();
        let rules = self.rules().await?;
        for p in self.store.proposals().await? {
            if p.state != "open" {
                continue;
            }
            let Some(deadline) = self.view(p.id).await?.closes_at_ms else {
                continue;
            };
            if act.at_ms >= deadline {
                match self.close(p.id, act).await {
                    Ok(_) => done.closed.push(p.id),
                    Err(e) => {
                        tracing::error!(proposal = p.id, error = %e, "cannot close at its deadline")
                    }
                }
            } else if act.at_ms >= rules.reminder_at(deadline)
                && p.reminded_at.is_none()
                && self.store.mark_reminded(p.id, act).await?
            {
                tracing::info!(proposal = p.id, closes = format_utc(deadline), "reminding");
                self.announce_reminder(p.id, act).await?;
                done.reminded.push(p.id);
            }
        }
        done.left = self.complete_leaves(act).await?;
        Ok(done)
    }
}
