//! Behaviour of the governance crate through its public API, read as a
//! specification.

mod college;
mod common;
mod properties;
mod record;
mod tally;
mod worked_example;
