//! The `plenary` binary's wiring: configuration, commands, the running app.
//! Business rules live in the other crates; this one connects them.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod frontend;
pub mod governance;
pub mod ops;
pub mod output;
