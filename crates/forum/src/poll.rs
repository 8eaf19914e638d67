//! Polls of Discourse's poll plugin: the markdown that puts one in a
//! topic, and the votes read back through the plugin's documented API
//! (`GET /polls/voters.json`). Plenary counts them only as ballots of the
//! people they belong to; the forum stays a ballot box, never the record.

/// The name every Plenary poll has in its topic.
pub const POLL_NAME: &str = "plenary";

/// One forum account's vote in a poll: the option it chose, by its index
/// in the poll's options.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PollVote {
    pub username: String,
    pub option: usize,
}

/// The poll plugin's markup for a single-choice poll with named voters
/// (`public=true`), closing at `close` (ISO 8601, UTC), results shown
/// always.
pub fn markdown(options: &[String], close: &str) -> String {
    let mut out =
        format!("[poll name={POLL_NAME} type=regular results=always public=true close={close}]\n");
    for option in options {
        // A line break would end the option early and start another.
        out.push_str(&format!("* {}\n", option.replace(['\n', '\r'], " ")));
    }
    out.push_str("[/poll]");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_lists_its_options_as_the_plugin_reads_them() {
        assert_eq!(
            markdown(
                &["Agree".into(), "Block\nnow".into()],
                "2026-12-08T00:00:00Z"
            ),
            "[poll name=plenary type=regular results=always public=true close=2026-12-08T00:00:00Z]\n\
             * Agree\n* Block now\n[/poll]"
        );
    }
}
