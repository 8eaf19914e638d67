//! Central recordings. Each BBB server's post-publish script uploads every
//! published format of a recording (`POST /recordings/import`, a tar of
//! BBB's published layout, a bearer JWT signed with the server's own
//! secret: see `packaging/bbb/post_publish/plenary_import.rb`). Plenary
//! checks it, stores the files ([`storage`]) and indexes the recording for
//! the tenant whose meeting it was, by Plenary's own record of which
//! meeting that server held under the namespaced ID. Once imported, the
//! index answers the recording calls for it and Plenary serves its
//! playback at `/t/<tenant>/playback/<record_id>/<format>/`, so it outlives
//! the server; recordings not yet imported are still asked of the servers.

mod archive;
mod import;
pub(crate) mod index;
mod metadata;
mod playback;
pub mod storage;
pub mod token;

use std::path::PathBuf;
use std::sync::Arc;

pub use archive::ArchiveLimits;
pub(crate) use import::import;
pub(crate) use playback::{play_file, play_root};
pub use storage::{DiskStorage, Storage};

/// How recordings are imported, kept and played.
#[derive(Debug, Clone)]
pub struct RecordingsConfig {
    /// Where files are kept; without it, nothing is imported and the
    /// servers answer for their recordings.
    pub storage: Option<Arc<dyn Storage>>,
    /// Where uploads are unpacked before they are stored.
    pub staging: PathBuf,
    /// Plenary's address as viewers reach it, for playback URLs.
    pub public_url: String,
    pub limits: ArchiveLimits,
}

impl Default for RecordingsConfig {
    fn default() -> Self {
        Self {
            storage: None,
            staging: std::env::temp_dir(),
            public_url: String::new(),
            limits: ArchiveLimits {
                max_bytes: 4 * 1024 * 1024 * 1024,
                max_files: 20_000,
            },
        }
    }
}
