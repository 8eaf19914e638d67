//! The benchmarks' positional arguments: each one a number with a default,
//! and a bad one named in the error.

use std::str::FromStr;

use anyhow::Context;

pub struct Positional(std::iter::Skip<std::env::Args>);

impl Positional {
    pub fn from_env() -> Self {
        Self(std::env::args().skip(1))
    }

    /// The next argument, or `default` when there are no more.
    pub fn next<T>(&mut self, name: &str, default: T) -> anyhow::Result<T>
    where
        T: FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        self.0
            .next()
            .map_or(Ok(default), |a| a.parse())
            .with_context(|| name.to_string())
    }
}
