//! An organisation's own pages, for its admin and the operators: its
//! tenants with the settings to paste into Greenlight, its use against its
//! tiers' limits with fair use, its statements, and its people and tokens.
//! Every page asks the access rules with the action the API asks
//! ([`Action::ReadOwn`] of the organisation) and calls the same service
//! functions, so another organisation's page answers exactly like a
//! missing one (404).

mod meetings;
mod people;
mod statement;
mod tenants;
mod usage;

use axum::Router;
use axum::routing::{get, post};
use consortium::{Action, Actor, ConsortiumError, Owner};
use store::Organisation;

use super::PortalState;
use super::page::PageResult;
use super::session::Viewer;

pub use usage::{MONTHS, usage_html};

/// The organisation pages' routes, merged into the portal's.
pub(crate) fn router() -> Router<PortalState> {
    const AT: &str = "/portal/organisations/{name}";
    let at = |path: &str| format!("{AT}{path}");
    Router::new()
        .route(&at("/tenants"), get(tenants::page))
        .route(&at("/tenants/{tenant}/secrets"), post(tenants::add_secret))
        .route(
            &at("/tenants/{tenant}/secrets/remove"),
            post(tenants::remove_secret),
        )
        .route(&at("/usage"), get(usage::page))
        .route(&at("/statement"), get(statement::page))
        .route(&at("/statement.csv"), get(statement::csv))
        .route(&at("/meetings"), get(meetings::page))
        .route(&at("/people"), get(people::page))
        .route(&at("/tokens"), post(people::issue))
        .route(&at("/tokens/{id}/revoke"), post(people::revoke))
}

/// The tab of the organisation's pages a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    Tenants,
    Usage,
    Statement,
    Meetings,
    People,
}

impl Tab {
    pub const ALL: [Self; 5] = [
        Self::Tenants,
        Self::Usage,
        Self::Statement,
        Self::Meetings,
        Self::People,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Self::Tenants => "tenants",
            Self::Usage => "usage",
            Self::Statement => "statement",
            Self::Meetings => "meetings",
            Self::People => "people",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Tenants => "Tenants",
            Self::Usage => "Usage",
            Self::Statement => "Statement",
            Self::Meetings => "Live meetings",
            Self::People => "People and tokens",
        }
    }
}

/// Whether `actor` may read `org`'s own things, asked exactly as the API
/// asks it: a hidden organisation is reported as a missing one.
pub(crate) fn check(actor: &Actor, org: &str) -> Result<(), ConsortiumError> {
    actor
        .may(Action::ReadOwn(Owner::Organisation(org)))
        .map_err(|r| r.into_error(format!("organisation {org:?}")))
}

/// Whose page it is, and who reads it.
pub(crate) struct Own {
    pub actor: Actor,
    pub org: Organisation,
}

/// The organisation `name`, for a viewer who may read its own things.
pub(crate) async fn own(state: &PortalState, viewer: &Viewer, name: &str) -> PageResult<Own> {
    let actor = viewer.actor().clone();
    check(&actor, name)?;
    let org = state.api.consortium.store().organisation(name).await?;
    Ok(Own { actor, org })
}
