//! The consortium's procedures: what happens, in order, when an organisation
//! applies, a proposal opens, a delegate votes or a decision closes. The
//! rules of each step are the governance crate's pure functions; this crate
//! reads the store, asks those functions, records the answer (with its audit
//! entry) and queues what members must be told. Time always comes in with
//! the actor ([`store::Act`]), so tests move the clock instead of sleeping.

pub mod access;
pub mod access_links;
mod announce;
pub mod applications;
pub mod calendar;
pub mod contributions;
mod convert;
pub mod delivery;
mod error;
pub mod forum_votes;
pub mod operations;
pub mod people;
pub mod proposals;
pub mod register;
pub mod rooms;
pub mod rules;
pub mod steps;
mod tick;
pub mod tokens;

pub use access::{Action, Actor, OperatorName, Owner, Refusal, Scope};
pub use announce::{external_id, proposal_of_topic, statement};
pub use contributions::{Contributed, Offered};
pub use error::{ConsortiumError, Result};
pub use operations::{
    CreatedTenant, MeetingView, NewSecret, NewServerSettings, NewTenantSettings, Pool,
    ServerChange, ServerView, TenantChange, TenantView, TierChange, blank_tier,
};
pub use people::{NewPerson, Role};
pub use proposals::{
    Draft, ProposalView, RULES_CHANGE, Receipt, Record, Replacement, Statement, Voter, replacements,
};
pub use register::{NewMember, NewOrganisation, RegisterChange};
pub use rooms::RoomLinks;
pub use steps::{PersonRoles, Steps};
pub use tick::Duties;
pub use tokens::NewToken;

use store::Store;

/// How the consortium names itself and where its pages are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Shown in every message, e.g. "Meet Co-op consortium".
    pub name: String,
    /// Plenary's public address, for links in messages (no trailing slash).
    pub public_url: String,
    /// Whether proposals are mirrored to a forum (a Discourse is configured).
    pub forum: bool,
    /// Whether members are told by mail (an SMTP server is configured).
    pub mail: bool,
}

/// The consortium's procedures over one store.
#[derive(Debug, Clone)]
pub struct Consortium {
    store: Store,
    settings: Settings,
    rooms: Option<RoomLinks>,
}

impl Consortium {
    pub fn new(store: Store, settings: Settings, rooms: Option<RoomLinks>) -> Self {
        Self {
            store,
            settings,
            rooms,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The signed link to `org`'s internal meeting room about proposal
    /// `id`, when rooms are configured.
    pub fn room_link(&self, id: i64, org: &str) -> Option<String> {
        self.rooms.as_ref().map(|r| r.link(id, org))
    }

    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url)
    }
}
