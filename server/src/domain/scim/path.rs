//! SCIM attribute paths (RFC 7644 §3.10): the attributes a provider may address, and paths with value filters
//! read into their parts.

use serde_json::Value;

use super::*;

/// One attribute of a schema: its canonical name, whether it holds a list, and its sub-attributes.
pub(super) struct AttrDef {
    pub(super) name: &'static str,
    pub(super) multi: bool,
    pub(super) subs: &'static [&'static str],
}

pub(super) const fn simple(name: &'static str) -> AttrDef {
    AttrDef { name, multi: false, subs: &[] }
}

pub(super) const fn list(name: &'static str, subs: &'static [&'static str]) -> AttrDef {
    AttrDef { name, multi: true, subs }
}

pub(super) const PLURAL: &[&str] = &["value", "display", "type", "primary"];

/// The core User schema (RFC 7643 §4.1): what a provider may address by path. Seatwise uses some of these and keeps
/// the rest in the provider's document; anything else is not an attribute of a User.
pub(super) const CORE: &[AttrDef] = &[
    simple("userName"),
    AttrDef {
        name: "name",
        multi: false,
        subs: &["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"],
    },
    simple("displayName"),
    simple("nickName"),
    simple("profileUrl"),
    simple("title"),
    simple("userType"),
    simple("preferredLanguage"),
    simple("locale"),
    simple("timezone"),
    simple("active"),
    simple("password"),
    simple("externalId"),
    list("emails", PLURAL),
    list("phoneNumbers", PLURAL),
    list("ims", PLURAL),
    list("photos", PLURAL),
    list(
        "addresses",
        &["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"],
    ),
    list("groups", &["value", "$ref", "display", "type"]),
    list("entitlements", PLURAL),
    list("roles", PLURAL),
    list("x509Certificates", PLURAL),
];

/// The enterprise User extension (RFC 7643 §4.3), which Entra ID and Okta send for department and manager.
pub(super) const ENTERPRISE: &[AttrDef] = &[
    simple("employeeNumber"),
    simple("costCenter"),
    simple("organization"),
    simple("division"),
    simple("department"),
    AttrDef { name: "manager", multi: false, subs: &["value", "$ref", "displayName"] },
];

pub(super) fn lookup<'a>(defs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

pub(super) fn sub_of(def: &AttrDef, name: &str) -> Option<&'static str> {
    def.subs.iter().copied().find(|s| s.eq_ignore_ascii_case(name))
}

/// A PATCH target (RFC 7644 §3.5.2): `[schema:]attribute[.sub]` or `attribute[filter][.sub]`, resolved against the
/// schema. SCIM has at most one level of sub-attribute, so a path never goes deeper than that.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The extension whose object holds the attribute; `None` for the core schema.
    pub extension: Option<&'static str>,
    pub attr: &'static str,
    pub multi: bool,
    pub complex: bool,
    /// A value selection filter: every named sub-attribute equals its value.
    pub filter: Option<Vec<(&'static str, Value)>>,
    pub sub: Option<&'static str>,
}

/// Parse a PATCH path without recursion, bounded in length, against the User schema.
pub fn parse_path(path: &str) -> Result<AttrPath, ScimFault> {
    if path.len() > MAX_PATH_LEN {
        return Err(ScimFault::InvalidPath(format!("path is longer than {MAX_PATH_LEN} characters")));
    }
    let invalid = |why: &str| ScimFault::InvalidPath(format!("invalid path {:?}: {why}", short(path)));
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(invalid("empty"));
    }
    let after_schema = |rest: &str| -> Result<(), ScimFault> {
        if rest.starts_with(':') {
            Ok(())
        } else {
            Err(invalid("expected ':' after the schema"))
        }
    };
    // A schema URN prefix: the core schema is the default; the enterprise extension has its own object.
    let (defs, extension, rest) = if let Some(rest) = strip_prefix_ci(trimmed, ENTERPRISE_SCHEMA) {
        after_schema(rest)?;
        (ENTERPRISE, Some(ENTERPRISE_SCHEMA), &rest[1..])
    } else if let Some(rest) = strip_prefix_ci(trimmed, USER_SCHEMA) {
        after_schema(rest)?;
        (CORE, None, &rest[1..])
    } else if trimmed.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return Err(invalid("unknown schema"));
    } else {
        (CORE, None, trimmed)
    };
    let (name_part, filter_text, after) = match rest.find('[') {
        Some(open) => {
            let close = rest[open..].find(']').map(|c| open + c).ok_or_else(|| invalid("unclosed '['"))?;
            (&rest[..open], Some(&rest[open + 1..close]), &rest[close + 1..])
        }
        None => match rest.find('.') {
            Some(dot) => (&rest[..dot], None, &rest[dot..]),
            None => (rest, None, ""),
        },
    };
    let def = lookup(defs, name_part).ok_or_else(|| invalid("no such attribute"))?;
    let sub = match after {
        "" => None,
        s => {
            let name = s.strip_prefix('.').ok_or_else(|| invalid("unexpected text after the filter"))?;
            if name.contains(['.', '[', ']']) {
                return Err(invalid("attributes have at most one level of sub-attribute"));
            }
            Some(sub_of(def, name).ok_or_else(|| invalid("no such sub-attribute"))?)
        }
    };
    let filter = match filter_text {
        None => None,
        Some(_) if !def.multi => return Err(invalid("only multi-valued attributes take a filter")),
        Some(text) => Some(parse_value_filter(def, text)?),
    };
    Ok(AttrPath { extension, attr: def.name, multi: def.multi, complex: !def.subs.is_empty(), filter, sub })
}

pub(super) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &s[prefix.len()..])
}

/// The start of a long value, for error messages.
pub(super) fn short(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// `type eq "work"` and `type eq "work" and primary eq true`: the value filters providers put in paths.
pub(super) fn parse_value_filter(def: &AttrDef, text: &str) -> Result<Vec<(&'static str, Value)>, ScimFault> {
    let bad = |why: &str| ScimFault::InvalidFilter(format!("unsupported filter {:?}: {why}", short(text)));
    let mut clauses = Vec::new();
    for clause in split_and(text) {
        let mut parts = clause.trim().splitn(3, ' ');
        let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected 'attribute eq value'"));
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(bad("only 'eq' and 'and' are supported"));
        }
        let sub = sub_of(def, attr).ok_or_else(|| bad("no such sub-attribute"))?;
        let value: Value = serde_json::from_str(value.trim()).map_err(|_| bad("the value must be a JSON literal"))?;
        if value.is_array() || value.is_object() {
            return Err(bad("the value must be a JSON literal"));
        }
        clauses.push((sub, value));
    }
    Ok(clauses)
}

/// Split on ` and ` outside quoted strings.
pub(super) fn split_and(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            match (escaped, b) {
                (false, b'\\') => escaped = true,
                (false, b'"') => quoted = false,
                _ => escaped = false,
            }
        } else if b == b'"' {
            quoted = true;
        } else if text.get(i..i + 5).is_some_and(|w| w.eq_ignore_ascii_case(" and ")) {
            out.push(&text[start..i]);
            start = i + 5;
            i += 5;
            continue;
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}
