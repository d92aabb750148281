//! SCIM 2.0 user documents and the sloppy-but-common ways identity providers change them (RFC 7644 PatchOp as
//! sent by Entra ID and Okta: `op` in any case, `active` as `"False"`, a path-less value object, PUT of everything).

use serde_json::Value;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

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

/// A PatchOp: `add` and `replace` set values (with or without a path); `remove` clears what it can.
pub fn from_patch(doc: &Value) -> Result<UserChanges, String> {
    let ops = doc.get("Operations").and_then(Value::as_array).ok_or("a PatchOp needs an Operations array")?;
    let mut changes = UserChanges::default();
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let value = op.get("value").unwrap_or(&Value::Null);
        match (kind.as_str(), op.get("path").and_then(Value::as_str)) {
            ("add" | "replace", Some(path)) => set(&mut changes, path, value)?,
            ("add" | "replace", None) => {
                let obj = value.as_object().ok_or("an operation without a path needs an object value")?;
                for (k, v) in obj {
                    set(&mut changes, k, v)?;
                }
            }
            ("remove", Some(_)) => {}
            (other, _) => return Err(format!("unsupported operation {other:?}")),
        }
    }
    Ok(changes)
}

fn find_key(obj: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Set or remove an attribute by a simple path (`displayName`, `name.givenName`) in a stored user document.
fn edit(doc: &mut Value, path: &str, value: Option<&Value>) {
    let Some(obj) = doc.as_object_mut() else { return };
    // Filtered paths (`emails[type eq "work"].value`) address the attribute as a whole.
    let path = path.split('[').next().unwrap_or(path);
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let key = find_key(obj, head).unwrap_or_else(|| head.to_string());
    match (rest, value) {
        (None, Some(v)) => {
            let v = if key.eq_ignore_ascii_case("active") {
                boolish(v).map(Value::Bool).unwrap_or(v.clone())
            } else {
                v.clone()
            };
            obj.insert(key, v);
        }
        (None, None) => {
            obj.remove(&key);
        }
        (Some(rest), v) => {
            let child = obj.entry(key).or_insert_with(|| Value::Object(Default::default()));
            edit(child, rest, v);
        }
    }
}

/// Apply a PatchOp to a stored user document (RFC 7644 §3.5.2 for simple paths).
pub fn patch_document(doc: &mut Value, patch: &Value) -> Result<(), String> {
    if !doc.is_object() {
        *doc = Value::Object(Default::default());
    }
    let ops = patch.get("Operations").and_then(Value::as_array).ok_or("a PatchOp needs an Operations array")?;
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        match (kind.as_str(), path) {
            ("add" | "replace", Some(p)) => edit(doc, p, Some(value.unwrap_or(&Value::Null))),
            ("add" | "replace", None) => {
                let obj =
                    value.and_then(Value::as_object).ok_or("an operation without a path needs an object value")?;
                for (k, v) in obj {
                    edit(doc, k, Some(v));
                }
            }
            ("remove", Some(p)) => edit(doc, p, None),
            ("remove", None) => return Err("remove needs a path".into()),
            (other, _) => return Err(format!("unsupported operation {other:?}")),
        }
    }
    Ok(())
}

/// `attributes=` keeps only the named top-level attributes (plus id and schemas); `excludedAttributes=` drops them.
pub fn project(mut doc: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let names = |s: &str| {
        s.split(',').map(|a| a.trim().split('.').next().unwrap_or_default().to_ascii_lowercase()).collect::<Vec<_>>()
    };
    if let Some(obj) = doc.as_object_mut() {
        if let Some(keep) = attributes.filter(|a| !a.trim().is_empty()).map(names) {
            obj.retain(|k, _| k == "id" || k == "schemas" || keep.contains(&k.to_ascii_lowercase()));
        }
        if let Some(drop) = excluded.filter(|a| !a.trim().is_empty()).map(names) {
            obj.retain(|k, _| k == "id" || k == "schemas" || !drop.contains(&k.to_ascii_lowercase()));
        }
    }
    doc
}

/// `userName eq "x"` / `externalId eq "x"` (the filters provisioning clients use).
pub fn parse_filter(filter: &str) -> Result<(String, String), String> {
    let mut parts = filter.trim().splitn(3, ' ');
    let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("unsupported filter {filter:?}"));
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(format!("unsupported filter operator {op:?}"));
    }
    let value = value.trim().trim_matches('"').to_string();
    match attr.to_ascii_lowercase().as_str() {
        "username" => Ok(("userName".into(), value)),
        "externalid" => Ok(("externalId".into(), value)),
        "id" => Ok(("id".into(), value)),
        _ => Err(format!("unsupported filter attribute {attr:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hr::tests::sample;

    #[test]
    fn entra_and_okta_deactivations() {
        let entra: Value = serde_json::from_str(&sample("scim-entra-deactivate.json")).unwrap();
        assert_eq!(from_patch(&entra).unwrap().active, Some(false));
        let okta: Value = serde_json::from_str(&sample("scim-okta-deactivate.json")).unwrap();
        assert_eq!(from_patch(&okta).unwrap().active, Some(false));
        let put: Value = serde_json::from_str(&sample("scim-okta-put-user.json")).unwrap();
        let c = from_document(&put).unwrap();
        assert_eq!(c.active, Some(false));
        assert_eq!(c.user_name.as_deref(), Some("omar.haddad@example.com"));
        assert_eq!(c.name().as_deref(), Some("Omar Haddad"));
        assert_eq!(c.external_id.as_deref(), Some("00u1abcdEFGH2345"));
    }

    #[test]
    fn add_on_active_and_bad_values() {
        let add = serde_json::json!({"Operations": [{"op": "Add", "path": "active", "value": "True"}]});
        assert_eq!(from_patch(&add).unwrap().active, Some(true));
        let bad = serde_json::json!({"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]});
        assert!(from_patch(&bad).is_err());
        assert_eq!(parse_filter("userName eq \"a@b.c\"").unwrap(), ("userName".into(), "a@b.c".into()));
        assert!(parse_filter("userName co \"a\"").is_err());
    }
}
