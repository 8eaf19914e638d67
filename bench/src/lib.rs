//! What the benchmarks share: the line naming what a run measured, so a
//! figure copied into a table carries the commit and the machine it came
//! from, the file of results each one updates, and the month of metering
//! the billing benchmarks read.

pub mod args;
pub mod latency;
pub mod load;
pub mod machine;
pub mod month_data;
pub mod results;
