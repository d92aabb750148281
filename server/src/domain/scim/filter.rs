//! SCIM list filters (RFC 7644 §3.4.2.2) as far as Seatwise answers them.

use serde_json::Value;

use super::*;

/// Parentheses around a list filter are peeled at most this deep; deeper ones are refused, not recursed into.
pub const MAX_FILTER_DEPTH: usize = 8;

/// `userName eq "x"` / `externalId eq "x"` (the filters provisioning clients use), optionally in parentheses.
pub fn parse_filter(filter: &str) -> Result<(String, String), ScimFault> {
    if filter.len() > MAX_PATH_LEN {
        return Err(ScimFault::InvalidFilter(format!("filter is longer than {MAX_PATH_LEN} characters")));
    }
    if filter.contains('\0') {
        return Err(ScimFault::InvalidFilter("filter must not contain a NUL character".into()));
    }
    let unsupported = || ScimFault::InvalidFilter(format!("unsupported filter {:?}", short(filter)));
    let mut text = filter.trim();
    let mut depth = 0;
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        depth += 1;
        if depth > MAX_FILTER_DEPTH {
            return Err(ScimFault::InvalidFilter(format!("filter is nested deeper than {MAX_FILTER_DEPTH}")));
        }
        text = inner.trim();
    }
    let mut parts = text.splitn(3, ' ');
    let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unsupported());
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(ScimFault::InvalidFilter(format!("unsupported filter operator {:?}", short(op))));
    }
    let value = match serde_json::from_str::<Value>(value.trim()) {
        Ok(Value::String(s)) => s,
        _ => return Err(unsupported()),
    };
    match attr.to_ascii_lowercase().as_str() {
        "username" => Ok(("userName".into(), value)),
        "externalid" => Ok(("externalId".into(), value)),
        "id" => Ok(("id".into(), value)),
        _ => Err(ScimFault::InvalidFilter(format!("unsupported filter attribute {:?}", short(attr)))),
    }
}
