//! The consortium's procedures and their delivery, wired to this configuration.

use anyhow::Context;
use consortium::delivery::Delivery;
use consortium::{Consortium, RoomLinks, Settings};
use store::Store;

use crate::config::Config;

/// The consortium over `store`, named and linked as configured.
pub fn consortium(config: &Config, store: Store) -> Consortium {
    let settings = Settings {
        name: config.consortium_name.clone(),
        public_url: config.public_url(),
        forum: config.discourse.is_some(),
        mail: config.smtp.is_some(),
    };
    Consortium::new(store, settings, room_links(config))
}

/// The signer of room links, when rooms can be opened: a room key and the
/// co-op's own tenant are both configured.
pub fn room_links(config: &Config) -> Option<RoomLinks> {
    match (&config.room_key, &config.governance_tenant) {
        (Some(key), Some(_)) => Some(RoomLinks::new(
            &config.public_url(),
            key.expose().as_bytes(),
        )),
        _ => None,
    }
}

/// What sends the outbox: the configured mail server and forum, if any.
pub fn delivery(config: &Config, store: Store) -> anyhow::Result<Delivery> {
    let mailer = config
        .smtp
        .as_ref()
        .map(notify::Mailer::new)
        .transpose()
        .context("smtp")?;
    let forum = config
        .discourse
        .as_ref()
        .map(forum::Discourse::new)
        .transpose()
        .context("discourse")?;
    Ok(Delivery::new(store, mailer, forum))
}
