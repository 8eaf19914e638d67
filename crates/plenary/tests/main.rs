//! The integration tests of the `plenary` binary and its library, as one test
//! binary: each module below is one behaviour area, and the shared harness
//! (`common`, `coop`, `platform`, `matrix`) is compiled and linked once.
//! `logs` is a binary of its own because it installs the process-wide logger.

mod common;
mod coop;
mod matrix;
mod platform;

mod access_api;
mod api_calls;
mod backups;
mod billing_api;
mod binary;
mod callbacks;
mod checksums;
mod cli;
mod connections;
mod consortium_api;
mod demo;
mod fleet_behaviour;
mod governance_api;
mod governance_cli;
mod greenlight;
mod hostile_servers;
mod isolation;
mod limits;
mod live_view;
mod members_api;
mod metering;
mod operations;
mod operations_api;
mod parity;
mod permission_matrix;
mod poller_streaming;
mod portal_browser;
mod portal_operator;
mod portal_organisation;
mod portal_sign_in;
mod postgres;
mod quotas;
mod recordings;
mod scalelite_checklist;
mod several_instances;
mod snapshots;
mod throttle;
mod usage;
