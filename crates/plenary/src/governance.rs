//! The consortium's procedures, wired to this configuration.

use consortium::{Consortium, Settings};
use store::Store;

use crate::config::Config;

/// The consortium over `store`, named and linked as configured.
pub fn consortium(config: &Config, store: Store) -> Consortium {
    let settings = Settings {
        name: "Plenary consortium".into(),
        public_url: format!("http://{}", config.listen),
        forum: false,
        mail: false,
    };
    Consortium::new(store, settings, None)
}
