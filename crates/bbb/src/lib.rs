//! The BigBlueButton API as Plenary speaks it, on both sides: towards front ends
//! (verifying their checksums, answering in BBB's XML) and towards backends
//! (signing calls, reading their XML). Everything but [`client`] is free of I/O.

#[cfg(feature = "axum")]
pub mod answer;
pub mod checksum;
pub mod client;
pub mod error;
pub mod features;
pub mod get_meetings;
pub mod meeting;
pub mod params;
pub mod xml;

pub use checksum::{Algorithm, AlgorithmSet, ChecksumError};
pub use error::ApiError;
pub use features::{DisabledFeatures, Feature, UnknownFeature};
pub use params::Params;
pub use xml::Element;
