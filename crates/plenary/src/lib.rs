//! The `plenary` binary: command-line parsing, the commands and their
//! output, the demo. The running service and its configuration are the
//! runtime crate's; business rules live in the other crates.

pub mod cli;
pub mod commands;
pub mod demo;
pub mod frontend;
pub mod output;

pub use runtime::{app, config, governance, ops};
