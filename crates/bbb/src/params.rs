//! Query parameters in the order the client sent them.

/// Decoded `key=value` pairs, order kept. Repeated keys are kept too; `get`
/// answers the first, as BBB's servlet parameter map does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a raw (percent-encoded) query string or form body. Never fails:
    /// malformed escapes are kept as literal text, as form decoding does.
    pub fn parse(raw: &str) -> Self {
        Self(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A comma-separated parameter's items (meeting and record IDs,
    /// states), trimmed, empty ones dropped; none when it is absent.
    pub fn list(&self, key: &str) -> impl Iterator<Item = &str> {
        self.get(key)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
    }

    /// A parameter that is present and not blank, as BBB's `StringUtils.isEmpty` checks.
    pub fn get_nonblank(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.trim().is_empty())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Replaces every value of `key` with one value, in place of the first one,
    /// or appends it.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter().position(|(k, _)| k == key) {
            Some(i) => {
                self.0[i].1 = value;
                let mut seen = 0;
                self.0.retain(|(k, _)| {
                    if k == key {
                        seen += 1;
                        seen == 1
                    } else {
                        true
                    }
                });
            }
            None => self.0.push((key.to_string(), value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }

    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn sorted_by_key(mut self) -> Self {
        self.0.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// Form encoding (space as `+`), which leaves the same characters bare as
    /// Java's `URLEncoder`: what BBB and its client libraries produce.
    pub fn encode(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0.iter())
            .finish()
    }

    /// `meta_*` parameters, with the key as BBB stores it: prefix cut, lower-cased.
    pub fn metadata(&self) -> impl Iterator<Item = (String, &str)> {
        self.iter().filter_map(|(k, v)| {
            k.strip_prefix("meta_")
                .filter(|rest| is_valid_meta_key(rest))
                .map(|rest| (rest.to_ascii_lowercase(), v))
        })
    }
}

impl Extend<(String, String)> for Params {
    fn extend<T: IntoIterator<Item = (String, String)>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

impl FromIterator<(String, String)> for Params {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Whether XML 1.0 can carry `s` at all: every character is in its `Char`
/// production (tab, newline and carriage return are the only controls).
pub fn is_xml_text(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    })
}

/// BBB accepts metadata keys matching `[a-zA-Z][a-zA-Z0-9-]*` after `meta_`.
pub fn is_valid_meta_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_decodes_plus_and_percent() {
        let p = Params::parse("name=Test+Meeting&x=%C3%A9%2B");
        assert_eq!(p.get("name"), Some("Test Meeting"));
        assert_eq!(p.get("x"), Some("é+"));
    }

    #[test]
    fn encoding_matches_what_bbb_clients_send() {
        let mut p = Params::new();
        p.push("name", "Test Meeting");
        p.push("v", "a*b-c._~!");
        assert_eq!(p.encode(), "name=Test+Meeting&v=a*b-c._%7E%21");
    }

    #[test]
    fn set_replaces_every_copy_with_one_value() {
        let mut p = Params::parse("a=1&b=2&a=3");
        p.set("a", "9");
        assert_eq!(p.encode(), "a=9&b=2");
        p.set("c", "x");
        assert_eq!(p.encode(), "a=9&b=2&c=x");
    }

    #[test]
    fn xml_text_excludes_controls_but_tab_and_line_breaks() {
        assert!(is_xml_text("Weekly\tmeeting\r\n: é, 会议, 🎉"));
        for bad in [
            "\u{0}", "a\u{1}b", "\u{b}", "\u{c}", "\u{1f}", "\u{fffe}", "\u{ffff}",
        ] {
            assert!(!is_xml_text(bad), "{bad:?}");
        }
    }

    #[test]
    fn metadata_keys_are_lower_cased_and_validated() {
        let p = Params::parse("meta_endCallbackUrl=u&meta_1bad=x&meta_bbb-origin=g&name=n");
        let m: Vec<_> = p.metadata().collect();
        assert_eq!(
            m,
            vec![
                ("endcallbackurl".to_string(), "u"),
                ("bbb-origin".to_string(), "g")
            ]
        );
    }
}
