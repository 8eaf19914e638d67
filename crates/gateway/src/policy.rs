//! Parameter policy for `create` and `join`, with Scalelite's semantics so
//! migrating operators get what they configured: excluded caller parameters
//! are dropped; then, lowest to highest precedence, tenant default, global
//! default, the caller's value, global override, tenant override; finally the
//! global maximum meeting duration clamps `duration` (unset or 0 included).

use bbb::Params;

/// Plenary's own metadata namespace: only Plenary sets these keys.
const RESERVED_META_PREFIX: &str = "meta_plenary-";

/// Names the tenant on every meeting Plenary creates, for operators who
/// read a backend directly; attribution never relies on it.
pub const TENANT_META: &str = "meta_plenary-tenant";

/// Drops every parameter in Plenary's metadata namespace, whatever its case:
/// BBB lower-cases metadata keys, so a caller's `meta_PLENARY-TENANT` would
/// otherwise stand beside (and may replace) Plenary's own value.
pub fn drop_reserved_meta(params: &mut Params) {
    params.retain(|k, _| !k.to_ascii_lowercase().starts_with(RESERVED_META_PREFIX));
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamPolicy {
    pub defaults: Vec<(String, String)>,
    pub overrides: Vec<(String, String)>,
    pub excludes: Vec<String>,
}

impl ParamPolicy {
    /// Parses Scalelite's `key=value,key=value` form (values are not trimmed of `=`).
    pub fn parse_pairs(s: &str) -> Vec<(String, String)> {
        s.split(',')
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let k = k.trim();
                (!k.is_empty()).then(|| (k.to_string(), v.trim().to_string()))
            })
            .collect()
    }

    pub fn parse_list(s: &str) -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Applies the global and tenant policies to a caller's parameters.
pub fn apply(
    params: &mut Params,
    global: &ParamPolicy,
    tenant: &ParamPolicy,
    max_duration_minutes: Option<u32>,
) {
    for key in global.excludes.iter().chain(&tenant.excludes) {
        params.remove(key);
    }
    for (k, v) in global.defaults.iter().chain(&tenant.defaults) {
        if !params.contains(k) {
            params.set(k, v.clone());
        }
    }
    for (k, v) in global.overrides.iter().chain(&tenant.overrides) {
        params.set(k, v.clone());
    }
    if let Some(max) = max_duration_minutes.filter(|m| *m > 0) {
        let asked = params
            .get("duration")
            .and_then(|d| d.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if asked == 0 || asked > u64::from(max) {
            params.set("duration", max.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(d: &[(&str, &str)], o: &[(&str, &str)], x: &[&str]) -> ParamPolicy {
        let own = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        ParamPolicy {
            defaults: own(d),
            overrides: own(o),
            excludes: x.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn run(query: &str, global: &ParamPolicy, tenant: &ParamPolicy, max: Option<u32>) -> String {
        let mut p = Params::parse(query);
        apply(&mut p, global, tenant, max);
        p.encode()
    }

    #[test]
    fn defaults_fill_only_what_the_caller_left_out() {
        let g = policy(&[("record", "false")], &[], &[]);
        assert_eq!(
            run("record=true", &g, &ParamPolicy::default(), None),
            "record=true"
        );
        assert_eq!(
            run("a=1", &g, &ParamPolicy::default(), None),
            "a=1&record=false"
        );
    }

    #[test]
    fn a_global_default_beats_a_tenant_default_as_in_scalelite() {
        let g = policy(&[("record", "false")], &[], &[]);
        let t = policy(&[("record", "true")], &[], &[]);
        assert_eq!(run("", &g, &t, None), "record=false");
    }

    #[test]
    fn a_tenant_override_beats_the_global_override_and_the_caller() {
        let g = policy(&[], &[("muteOnStart", "true")], &[]);
        let t = policy(&[], &[("muteOnStart", "false")], &[]);
        assert_eq!(run("muteOnStart=maybe", &g, &t, None), "muteOnStart=false");
    }

    #[test]
    fn excluded_parameters_are_dropped_but_may_be_set_by_policy() {
        let g = policy(
            &[],
            &[("logo", "https://coop/logo.png")],
            &["logo", "bannerText"],
        );
        assert_eq!(
            run(
                "logo=x&bannerText=y&name=n",
                &g,
                &ParamPolicy::default(),
                None
            ),
            "name=n&logo=https%3A%2F%2Fcoop%2Flogo.png"
        );
    }

    #[test]
    fn plenary_metadata_is_dropped_in_any_case() {
        let mut p = Params::parse(
            "meta_PLENARY-TENANT=t2&meta_plenary-tenant=t3&meta_Plenary-Other=x&meta_plenaryx=y&name=n",
        );
        drop_reserved_meta(&mut p);
        assert_eq!(p.encode(), "meta_plenaryx=y&name=n");
    }

    #[test]
    fn the_maximum_duration_is_set_clamped_or_kept() {
        let none = ParamPolicy::default();
        assert_eq!(run("", &none, &none, Some(120)), "duration=120");
        assert_eq!(run("duration=0", &none, &none, Some(120)), "duration=120");
        assert_eq!(run("duration=500", &none, &none, Some(120)), "duration=120");
        assert_eq!(run("duration=30", &none, &none, Some(120)), "duration=30");
        assert_eq!(run("duration=abc", &none, &none, Some(120)), "duration=120");
        assert_eq!(run("duration=30", &none, &none, None), "duration=30");
    }

    #[test]
    fn scalelite_style_lists_parse() {
        assert_eq!(
            ParamPolicy::parse_pairs("a=1, b = x=y ,bad,=2"),
            [
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "x=y".to_string())
            ]
        );
        assert_eq!(ParamPolicy::parse_list(" a, ,b"), ["a", "b"]);
    }
}
