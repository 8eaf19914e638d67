//! Plenary as a running service: its configuration ([`config`]), the
//! consortium wired to it ([`governance`]), the operations endpoints
//! ([`ops`]) and the app that starts and stops it all ([`app`]). The
//! `plenary` binary and the benchmarks start the same app.

pub mod app;
mod changes;
pub mod config;
pub mod governance;
pub mod ops;
