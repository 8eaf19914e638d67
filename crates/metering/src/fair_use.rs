//! Fair use: how a tenant's metered use compares with its tier's monthly
//! allowance, with the numbers behind the verdict.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// At or above `near_percent` of the allowance.
    Near,
    Over,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Near => "near",
            Self::Over => "over",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub level: Level,
    pub used: u64,
    pub allowance: u64,
    /// Whole percent of the allowance used (rounded down).
    pub percent: u64,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({} of {}, {}%)",
            self.level.as_str(),
            self.used,
            self.allowance,
            self.percent
        )
    }
}

/// `None` when there is no allowance (0): nothing to be fair against.
pub fn status(used: u64, allowance: u64, near_percent: u64) -> Option<Status> {
    if allowance == 0 {
        return None;
    }
    let percent = (used as u128 * 100 / allowance as u128) as u64;
    let level = if used > allowance {
        Level::Over
    } else if percent >= near_percent {
        Level::Near
    } else {
        Level::Ok
    };
    Some(Status {
        level,
        used,
        allowance,
        percent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_is_ok_near_or_over_its_allowance() {
        assert_eq!(status(100, 1000, 80).unwrap().level, Level::Ok);
        assert_eq!(status(800, 1000, 80).unwrap().level, Level::Near);
        assert_eq!(status(1000, 1000, 80).unwrap().level, Level::Near);
        let over = status(1500, 1000, 80).unwrap();
        assert_eq!((over.level, over.percent), (Level::Over, 150));
        assert_eq!(over.to_string(), "over (1500 of 1000, 150%)");
        assert_eq!(status(10, 0, 80), None);
    }
}
