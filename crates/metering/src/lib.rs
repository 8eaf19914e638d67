//! Metering as plain functions over plain data: no database, no clock, no
//! network. The store feeds samples in; statements and reports come out.

pub mod bandwidth;
pub mod capacity;
pub mod fair_use;
pub mod integrate;
pub mod money;
pub mod period;
pub mod split;
pub mod usage;
