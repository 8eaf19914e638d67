//! The BLT ballot file of a ranked proposal, the format STV tools (OpenSTV,
//! Droop, Loomio's export) read, so that anyone can recount a ranked
//! decision with the tool of their choice; and a reader for such files,
//! which counts them with this crate's own STV.
//!
//! ```text
//! 3 2            candidates, seats
//! 1 1 3 0        weight, preferences (1-based), 0
//! 2 2 0
//! 0              end of ballots
//! "Ana"          candidate names, in option order
//! "Ben"
//! "Cleo"
//! "Board election"
//! ```
//!
//! Each counted ballot is one line with its organisation's roll weight;
//! abstentions are no line (they rank nobody), as in the count itself.

use crate::proposal::{Choice, Kind};
use crate::record::Export;
use crate::tally::{Outcome, Weighted, ranked};
use std::fmt::Write as _;

/// A ranked election as a BLT file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    pub title: String,
    pub candidates: Vec<String>,
    pub seats: usize,
    /// Each ballot's weight and its preferences (0-based option indices).
    pub ballots: Vec<(u64, Vec<usize>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BltError {
    #[error("only a ranked proposal has a ballot file")]
    NotRanked,
    #[error("line {line}: {problem}")]
    Malformed { line: usize, problem: String },
}

fn malformed(line: usize, problem: impl Into<String>) -> BltError {
    BltError::Malformed {
        line,
        problem: problem.into(),
    }
}

impl Election {
    /// The counted ballots of a closed ranked proposal.
    pub fn from_export(export: &Export) -> Result<Self, BltError> {
        let Kind::Ranked { seats } = export.proposal.kind else {
            return Err(BltError::NotRanked);
        };
        let ballots = export
            .ballots
            .iter()
            .filter_map(|b| match &b.ballot.choice {
                Choice::Ranking(ranking) => Some((b.weight.units(), ranking.clone())),
                _ => None,
            })
            .collect();
        Ok(Election {
            title: export.proposal.title.clone(),
            candidates: export.proposal.options.clone(),
            seats,
            ballots,
        })
    }

    /// The file's text.
    pub fn to_blt(&self) -> String {
        let mut out = format!("{} {}\n", self.candidates.len(), self.seats);
        for (weight, ranking) in &self.ballots {
            let _ = write!(out, "{weight}");
            for option in ranking {
                let _ = write!(out, " {}", option + 1);
            }
            out.push_str(" 0\n");
        }
        out.push_str("0\n");
        for name in self.candidates.iter().chain(std::iter::once(&self.title)) {
            let _ = writeln!(out, "{}", quoted(name));
        }
        out
    }

    /// Reads a BLT file (withdrawn candidates, written as negative numbers
    /// on the second line, are not supported and refused).
    pub fn parse(text: &str) -> Result<Self, BltError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty());
        let (n, header) = lines
            .next()
            .ok_or_else(|| malformed(1, "the file is empty"))?;
        let numbers = integers(n, header)?;
        let [candidates, seats] = numbers[..] else {
            return Err(malformed(n, "expected the number of candidates and seats"));
        };
        let (candidates, seats) = (to_usize(n, candidates)?, to_usize(n, seats)?);
        let mut ballots = Vec::new();
        loop {
            let (n, line) = lines
                .next()
                .ok_or_else(|| malformed(n, "the ballots do not end with 0"))?;
            let numbers = integers(n, line)?;
            match numbers.as_slice() {
                [0] => break,
                [weight, preferences @ .., 0] => {
                    let weight =
                        u64::try_from(*weight).map_err(|_| malformed(n, "negative weight"))?;
                    let ranking = preferences
                        .iter()
                        .map(|&p| match to_usize(n, p)? {
                            c @ 1.. if c <= candidates => Ok(c - 1),
                            _ => Err(malformed(n, format!("no candidate {p}"))),
                        })
                        .collect::<Result<_, _>>()?;
                    ballots.push((weight, ranking));
                }
                _ => return Err(malformed(n, "a ballot is a weight, preferences and 0")),
            }
        }
        let mut names = Vec::new();
        for _ in 0..=candidates {
            let (n, line) = lines
                .next()
                .ok_or_else(|| malformed(n, "a candidate name or the title is missing"))?;
            names.push(unquoted(n, line)?);
        }
        let title = names.pop().unwrap_or_default();
        Ok(Election {
            title,
            candidates: names,
            seats,
            ballots,
        })
    }

    /// Counts the file with this crate's own count: instant-runoff for one
    /// seat, STV for several, exactly as a ranked proposal is counted.
    pub fn count(&self) -> Outcome {
        let choices: Vec<Choice> = self
            .ballots
            .iter()
            .map(|(_, ranking)| Choice::Ranking(ranking.clone()))
            .collect();
        let weighted: Vec<Weighted> = self
            .ballots
            .iter()
            .zip(&choices)
            .map(|((weight, _), choice)| Weighted {
                org: "",
                weight: *weight,
                choice,
            })
            .collect();
        let result = match self.seats {
            1 => ranked::instant_runoff(&weighted, &self.candidates),
            seats => ranked::stv(&weighted, &self.candidates, seats),
        };
        result.outcome
    }
}

fn integers(line: usize, text: &str) -> Result<Vec<i64>, BltError> {
    text.split_whitespace()
        .map(|w| {
            w.parse()
                .map_err(|_| malformed(line, format!("{w:?} is not a number")))
        })
        .collect()
}

fn to_usize(line: usize, n: i64) -> Result<usize, BltError> {
    usize::try_from(n).map_err(|_| malformed(line, format!("{n} is out of range")))
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

fn unquoted(line: usize, text: &str) -> Result<String, BltError> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(|| malformed(line, "a name is written in double quotes"))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn election() -> Election {
        Election {
            title: "Board \"2027\"".into(),
            candidates: vec!["Ana".into(), "Ben".into(), "Cleo".into()],
            seats: 2,
            ballots: vec![(1, vec![0, 2]), (2, vec![1])],
        }
    }

    #[test]
    fn a_ballot_file_lists_weights_preferences_and_names() {
        assert_eq!(
            election().to_blt(),
            "3 2\n1 1 3 0\n2 2 0\n0\n\"Ana\"\n\"Ben\"\n\"Cleo\"\n\"Board \\\"2027\\\"\"\n"
        );
    }

    #[test]
    fn a_ballot_file_reads_back_as_written() {
        assert_eq!(Election::parse(&election().to_blt()), Ok(election()));
    }

    #[test]
    fn a_preference_for_no_candidate_is_refused_with_its_line() {
        let err = Election::parse("2 1\n1 3 0\n0\n\"a\"\n\"b\"\n\"t\"\n").expect_err("bad");
        assert_eq!(err.to_string(), "line 2: no candidate 3");
    }
}
