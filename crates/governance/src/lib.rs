//! Consortium governance as plain functions over plain data: no I/O, no
//! database, no clock. Instants are UTC Unix milliseconds (`i64`).

pub mod fraction;
pub mod membership;
pub mod proposal;
pub mod record;
pub mod roll;
pub mod share;
pub mod tally;
pub mod time;
