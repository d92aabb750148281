//! SCIM 2.0 user documents and the sloppy-but-common ways identity providers change them (RFC 7644 PatchOp as
//! sent by Entra ID and Okta: `op` in any case, `active` as `"False"`, a path-less value object, PUT of everything).

mod filter;
mod patch;
mod path;

use serde_json::Value;

pub use filter::*;
pub use patch::*;
pub use path::*;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most users one list page holds (`filter.maxResults` in ServiceProviderConfig); a larger `count` gets this many.
pub const MAX_RESULTS: i64 = 1000;
/// Users on a list page when the client sends no `count`: a whole typical directory, so a client that lists without
/// paging (and checks that a user it just created is there) sees everyone; `totalResults` says when there are more.
pub const DEFAULT_COUNT: i64 = MAX_RESULTS;

/// The page size of a list request: `count` as sent, within 0 (RFC 7644 §3.4.2.4: negative means 0) and the maximum.
pub fn page_size(count: Option<i64>) -> i64 {
    count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_RESULTS)
}

/// The user attributes Seatwise keeps; `None` leaves a value as it is.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserChanges {
    pub user_name: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub external_id: Option<String>,
    pub active: Option<bool>,
}

impl UserChanges {
    /// A display name from what the provider sent: displayName, else given + family name.
    pub fn name(&self) -> Option<String> {
        self.display_name.clone().or_else(|| {
            let n = [self.given_name.as_deref(), self.family_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!n.is_empty()).then_some(n)
        })
    }
}

/// `true`, `"True"`, `"false"`, `"False"`: Entra's legacy form sends booleans as strings.
pub fn boolish(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Apply one attribute (by SCIM path, case-insensitive) to the changes.
fn set(changes: &mut UserChanges, path: &str, value: &Value) -> Result<(), String> {
    match path.to_ascii_lowercase().as_str() {
        "active" => {
            changes.active = Some(boolish(value).ok_or_else(|| format!("active must be a boolean, not {value}"))?)
        }
        "username" => changes.user_name = text(value),
        "displayname" => changes.display_name = text(value),
        "externalid" => changes.external_id = text(value),
        "name.givenname" => changes.given_name = text(value),
        "name.familyname" => changes.family_name = text(value),
        "name" => {
            if let Some(o) = value.as_object() {
                for (k, v) in o {
                    set(changes, &format!("name.{k}"), v)?;
                }
            }
        }
        "emails" | "emails[type eq \"work\"].value" if changes.user_name.is_none() => {
            changes.user_name = primary_email(value).or_else(|| text(value));
        }
        // Attributes Seatwise does not keep (locale, password, groups, ...) are accepted and ignored.
        _ => {}
    }
    Ok(())
}

fn primary_email(v: &Value) -> Option<String> {
    let list = v.as_array()?;
    list.iter()
        .find(|e| e.get("primary").and_then(boolish).unwrap_or(false))
        .or_else(|| list.first())
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A whole user document (POST or PUT).
pub fn from_document(doc: &Value) -> Result<UserChanges, String> {
    let obj = doc.as_object().ok_or("a user must be a JSON object")?;
    let mut changes = UserChanges::default();
    for (k, v) in obj {
        if k != "schemas" && k != "id" && k != "meta" {
            set(&mut changes, k, v)?;
        }
    }
    changes.check_text()?;
    Ok(changes)
}

impl UserChanges {
    /// Every attribute Seatwise keeps is a single line (no control characters or bidi overrides).
    fn check_text(&self) -> Result<(), String> {
        let fields = [
            ("userName", &self.user_name),
            ("displayName", &self.display_name),
            ("name.givenName", &self.given_name),
            ("name.familyName", &self.family_name),
            ("externalId", &self.external_id),
        ];
        for (path, value) in fields {
            if let Some(m) = value.as_deref().and_then(crate::domain::limits::line_problem) {
                return Err(format!("{path} {m}"));
            }
        }
        Ok(())
    }
}

/// Why a SCIM request cannot be applied, with its RFC 7644 §3.12 `scimType`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimFault {
    #[error("{0}")]
    InvalidPath(String),
    #[error("{0}")]
    NoTarget(String),
    #[error("{0}")]
    InvalidFilter(String),
    #[error("{0}")]
    InvalidValue(String),
}

impl ScimFault {
    pub fn scim_type(&self) -> &'static str {
        match self {
            ScimFault::InvalidPath(_) => "invalidPath",
            ScimFault::NoTarget(_) => "noTarget",
            ScimFault::InvalidFilter(_) => "invalidFilter",
            ScimFault::InvalidValue(_) => "invalidValue",
        }
    }
}

/// Longest PATCH path or list filter accepted; real ones are well under 200 characters. The bound also keeps
/// every later step (splitting, matching) small.
pub const MAX_PATH_LEN: usize = 1024;

pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hr::tests::sample;
    use serde_json::json;

    fn patched(patch: &Value) -> Result<UserChanges, String> {
        let mut doc = json!({"userName": "a@b.c"});
        patch_document(&mut doc, patch).map_err(|e| e.to_string())?;
        from_document(&doc)
    }

    #[test]
    fn page_size_follows_count_within_the_maximum() {
        assert_eq!(page_size(None), DEFAULT_COUNT);
        assert_eq!(page_size(Some(25)), 25);
        assert_eq!(page_size(Some(-3)), 0);
        assert_eq!(page_size(Some(MAX_RESULTS + 1)), MAX_RESULTS);
    }

    #[test]
    fn entra_and_okta_deactivations() {
        let entra: Value = serde_json::from_str(&sample("scim-entra-deactivate.json")).unwrap();
        assert_eq!(patched(&entra).unwrap().active, Some(false));
        let okta: Value = serde_json::from_str(&sample("scim-okta-deactivate.json")).unwrap();
        assert_eq!(patched(&okta).unwrap().active, Some(false));
        let put: Value = serde_json::from_str(&sample("scim-okta-put-user.json")).unwrap();
        let c = from_document(&put).unwrap();
        assert_eq!(c.active, Some(false));
        assert_eq!(c.user_name.as_deref(), Some("omar.haddad@example.com"));
        assert_eq!(c.name().as_deref(), Some("Omar Haddad"));
        assert_eq!(c.external_id.as_deref(), Some("00u1abcdEFGH2345"));
    }

    #[test]
    fn add_on_active_and_bad_values() {
        let add = json!({"Operations": [{"op": "Add", "path": "active", "value": "True"}]});
        assert_eq!(patched(&add).unwrap().active, Some(true));
        let bad = json!({"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]});
        assert!(patched(&bad).is_err());
        assert_eq!(parse_filter("userName eq \"a@b.c\"").unwrap(), ("userName".into(), "a@b.c".into()));
        assert_eq!(parse_filter("((userName eq \"a@b.c\"))").unwrap(), ("userName".into(), "a@b.c".into()));
        assert!(parse_filter("userName co \"a\"").is_err());
    }

    #[test]
    fn paths_are_bounded_and_checked_against_the_schema() {
        let deep = vec!["name"; 20_000].join(".");
        assert_eq!(parse_path(&deep).unwrap_err().scim_type(), "invalidPath");
        assert_eq!(parse_path("name.givenName.x").unwrap_err().scim_type(), "invalidPath");
        assert_eq!(parse_path("favouriteColour").unwrap_err().scim_type(), "invalidPath");
        assert_eq!(parse_path("name.nickname").unwrap_err().scim_type(), "invalidPath");
        assert_eq!(parse_path("displayName[type eq \"x\"]").unwrap_err().scim_type(), "invalidPath");
        assert_eq!(parse_path("emails[type co \"x\"].value").unwrap_err().scim_type(), "invalidFilter");
        let p = parse_path("urn:ietf:params:scim:schemas:core:2.0:User:name.GIVENNAME").unwrap();
        assert_eq!((p.attr, p.sub), ("name", Some("givenName")));
        let e = parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").unwrap();
        assert_eq!((e.extension, e.attr), (Some(ENTERPRISE_SCHEMA), "department"));
        let deep_filter = format!("{}userName eq \"a\"{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(parse_filter(&deep_filter).unwrap_err().scim_type(), "invalidFilter");
        let nested = format!("{}userName eq \"a\"{}", "(".repeat(9), ")".repeat(9));
        assert_eq!(parse_filter(&nested).unwrap_err().scim_type(), "invalidFilter");
    }

    #[test]
    fn filtered_paths_edit_matching_values() {
        let mut doc = json!({"emails": [{"type": "work", "value": "old@x.y", "primary": true}, {"type": "home", "value": "h@x.y"}]});
        let patch = json!({"Operations": [
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@x.y"},
            {"op": "remove", "path": "emails[type eq \"home\"]"},
            {"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"},
            {"op": "replace", "value": {"name.givenName": "Kim", "name": {"familyName": "Lee"}}}]});
        patch_document(&mut doc, &patch).unwrap();
        assert_eq!(doc["emails"], json!([{"type": "work", "value": "new@x.y", "primary": true}]));
        assert_eq!(doc["phoneNumbers"], json!([{"type": "mobile", "value": "+1 555"}]));
        assert_eq!(doc[ENTERPRISE_SCHEMA]["department"], "Sales");
        assert_eq!(doc["name"], json!({"givenName": "Kim", "familyName": "Lee"}));
        let none = json!({"Operations": [{"op": "remove", "path": "emails[type eq \"other\"]"}]});
        assert_eq!(patch_document(&mut doc, &none).unwrap_err().scim_type(), "noTarget");
        let unknown = json!({"Operations": [{"op": "replace", "value": {"favouriteColour": "red"}}]});
        assert_eq!(patch_document(&mut doc, &unknown).unwrap_err().scim_type(), "invalidPath");
    }
}
