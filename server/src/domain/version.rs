//! Record versions for optimistic concurrency: clients send the version they loaded as `If-Match: "<version>"`,
//! and a write against any other version is refused instead of silently overwriting someone else's change.

/// A write whose `If-Match` names a version other than the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub expected: i64,
    pub current: i64,
}

/// `None` (no `If-Match`) writes unconditionally; otherwise the expected version must be the current one.
pub fn check(expected: Option<i64>, current: i64) -> Result<(), Stale> {
    match expected {
        Some(expected) if expected != current => Err(Stale { expected, current }),
        _ => Ok(()),
    }
}

/// The entity tag of a version, as sent in `ETag` and expected in `If-Match`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What `parse_if_match` accepts, as a regular expression for the API document.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?("[0-9]{1,18}"|[0-9]{1,18}))$"#;

/// Parse an `If-Match` header: `"3"` (also a weak `W/"3"` or a bare `3`) names version 3; `*` matches any
/// existing record, as no condition does. Lists of several tags are not something this API ever hands out.
pub fn parse_if_match(value: &str) -> Option<IfMatch> {
    let v = value.trim();
    if v == "*" {
        return Some(IfMatch::Any);
    }
    let v = v.strip_prefix("W/").unwrap_or(v);
    let v = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(v);
    // Digits only: a sign or spaces are not a version this server wrote.
    if v.is_empty() || v.len() > 18 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok().map(IfMatch::Version)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Version(i64),
}

impl IfMatch {
    pub fn expected(self) -> Option<i64> {
        match self {
            IfMatch::Any => None,
            IfMatch::Version(v) => Some(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pattern_is_what_the_parser_accepts() {
        let pattern = regex::Regex::new(IF_MATCH_PATTERN).unwrap();
        for value in [
            "*",
            "\"3\"",
            "W/\"3\"",
            "3",
            "W/3",
            "\"0\"",
            "\"123456789012345678\"",
            "\"1234567890123456789\"",
            "",
            "\"\"",
            "\"3",
            "3\"",
            "\"-3\"",
            "\"+3\"",
            "\"3\", \"4\"",
            "w/\"3\"",
            "W/",
            "**",
            "\"3 \"",
            "abc",
        ] {
            assert_eq!(pattern.is_match(value), parse_if_match(value).is_some(), "{value:?}");
        }
    }

    #[test]
    fn only_a_matching_version_passes() {
        assert_eq!(check(None, 7), Ok(()));
        assert_eq!(check(Some(7), 7), Ok(()));
        assert_eq!(check(Some(6), 7), Err(Stale { expected: 6, current: 7 }));
        assert_eq!(check(Some(8), 7), Err(Stale { expected: 8, current: 7 }));
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("\"3\""), Some(IfMatch::Version(3)));
        assert_eq!(parse_if_match(" W/\"12\" "), Some(IfMatch::Version(12)));
        assert_eq!(parse_if_match("4"), Some(IfMatch::Version(4)));
        assert_eq!(parse_if_match("*"), Some(IfMatch::Any));
        for bad in ["", "\"\"", "\"-1\"", "\"a\"", "\"1\", \"2\"", "\"99999999999999999999\"", "\"+1\""] {
            assert_eq!(parse_if_match(bad), None, "{bad}");
        }
        assert_eq!(etag(5), "\"5\"");
    }
}
