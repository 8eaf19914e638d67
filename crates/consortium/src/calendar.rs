//! An organisation's governance calendar as iCalendar (RFC 5545): for each
//! open proposal it may vote on, the earliest moment it may close (the end
//! of its lead time) and its voting deadline, so that delegates see both in
//! their own calendar.

use governance::proposal::{self, State};
use std::fmt::Write as _;

use crate::convert::{self, Stored};
use crate::{Consortium, Result};

/// One moment in the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub uid: String,
    pub at_ms: i64,
    /// When what it announces last changed (the iCalendar `DTSTAMP`).
    pub stamp_ms: i64,
    pub summary: String,
    pub url: String,
}

impl Consortium {
    /// The moments of every open proposal with `org` on its roll.
    pub async fn calendar_moments(&self, org: &str) -> Result<Vec<Moment>> {
        self.store.organisation(org).await?;
        let mut moments = Vec::new();
        for row in self.store.proposals().await? {
            let Stored { proposal, state } = convert::proposal(&row)?;
            let State::Open { schedule } = state else {
                continue;
            };
            if !self.store.roll(row.id).await?.iter().any(|e| e.org == org) {
                continue;
            }
            let changed = row.text_changed_at;
            let earliest = proposal::earliest_close(schedule.opens_at, changed, &proposal.rules);
            let deadline = proposal::deadline(schedule, changed, &proposal.rules);
            let stamp_ms = changed.unwrap_or(schedule.opens_at);
            let url = self.proposal_link(row.id);
            let host = self.settings.public_url.trim_start_matches("https://");
            if earliest < deadline {
                moments.push(Moment {
                    uid: format!("proposal-{}-earliest-close@{host}", row.id),
                    at_ms: earliest,
                    stamp_ms,
                    summary: format!("May close from now: {}", proposal.title),
                    url: url.clone(),
                });
            }
            moments.push(Moment {
                uid: format!("proposal-{}-deadline@{host}", row.id),
                at_ms: deadline,
                stamp_ms,
                summary: format!("Voting closes: {}", proposal.title),
                url,
            });
        }
        moments.sort_by_key(|m| m.at_ms);
        Ok(moments)
    }

    /// The organisation's calendar feed (`text/calendar`).
    pub async fn calendar(&self, org: &str) -> Result<String> {
        let moments = self.calendar_moments(org).await?;
        Ok(ics(&format!("{} – {org}", self.settings.name), &moments))
    }
}

/// The iCalendar text of `moments`, lines ended by CRLF and folded at 75
/// octets as RFC 5545 asks.
pub fn ics(name: &str, moments: &[Moment]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Plenary//Consortium calendar//EN".into(),
        format!("X-WR-CALNAME:{}", text(name)),
    ];
    for m in moments {
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", text(&m.uid)),
            format!("DTSTAMP:{}", utc(m.stamp_ms)),
            format!("DTSTART:{}", utc(m.at_ms)),
            format!("SUMMARY:{}", text(&m.summary)),
            format!("URL:{}", m.url),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().fold(String::new(), |mut out, line| {
        fold(&mut out, line);
        out
    })
}

fn utc(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| "19700101T000000Z".into())
}

/// TEXT values escape backslashes, commas, semicolons and newlines.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

/// Appends `line`, continuing on lines that start with a space every 75
/// octets, never inside a character.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_lists_each_moment_as_an_event() {
        let moments = [Moment {
            uid: "proposal-3-deadline@coop.example".into(),
            at_ms: 1_796_688_000_000,
            stamp_ms: 1_796_083_200_000,
            summary: "Voting closes: Fair use, part 2; the rest".into(),
            url: "https://coop.example/api/v1/proposals/3".into(),
        }];
        assert_eq!(
            ics("Test – alpha", &moments),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenary//Consortium calendar//EN\r\n\
             X-WR-CALNAME:Test – alpha\r\nBEGIN:VEVENT\r\nUID:proposal-3-deadline@coop.example\r\n\
             DTSTAMP:20261201T000000Z\r\nDTSTART:20261208T000000Z\r\n\
             SUMMARY:Voting closes: Fair use\\, part 2\\; the rest\r\n\
             URL:https://coop.example/api/v1/proposals/3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        fold(&mut out, &format!("SUMMARY:{}", "é".repeat(40)));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(40))
        );
    }
}
