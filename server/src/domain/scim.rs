//! SCIM 2.0 user documents and the sloppy-but-common ways identity providers change them (RFC 7644 PatchOp as
//! sent by Entra ID and Okta: `op` in any case, `active` as `"False"`, a path-less value object, PUT of everything).

use serde_json::{Map, Value};

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

/// One attribute of a schema: its canonical name, whether it holds a list, and its sub-attributes.
struct AttrDef {
    name: &'static str,
    multi: bool,
    subs: &'static [&'static str],
}

const fn simple(name: &'static str) -> AttrDef {
    AttrDef { name, multi: false, subs: &[] }
}

const fn list(name: &'static str, subs: &'static [&'static str]) -> AttrDef {
    AttrDef { name, multi: true, subs }
}

const PLURAL: &[&str] = &["value", "display", "type", "primary"];

/// The core User schema (RFC 7643 §4.1): what a provider may address by path. Seatwise uses some of these and keeps
/// the rest in the provider's document; anything else is not an attribute of a User.
const CORE: &[AttrDef] = &[
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
const ENTERPRISE: &[AttrDef] = &[
    simple("employeeNumber"),
    simple("costCenter"),
    simple("organization"),
    simple("division"),
    simple("department"),
    AttrDef { name: "manager", multi: false, subs: &["value", "$ref", "displayName"] },
];

fn lookup<'a>(defs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

fn sub_of(def: &AttrDef, name: &str) -> Option<&'static str> {
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

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &s[prefix.len()..])
}

/// The start of a long value, for error messages.
fn short(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// `type eq "work"` and `type eq "work" and primary eq true`: the value filters providers put in paths.
fn parse_value_filter(def: &AttrDef, text: &str) -> Result<Vec<(&'static str, Value)>, ScimFault> {
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
fn split_and(text: &str) -> Vec<&str> {
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

fn find_key(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// The member `name` (matched case-insensitively) as an object, made one if it is missing or not an object.
fn object_member<'a>(obj: &'a mut Map<String, Value>, name: &str) -> Result<&'a mut Map<String, Value>, ScimFault> {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    let slot = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().ok_or_else(|| ScimFault::InvalidValue(format!("{name} is not a complex attribute")))
}

/// The member `name` as a list, made one if it is missing or not a list.
fn list_member<'a>(obj: &'a mut Map<String, Value>, name: &str) -> Result<&'a mut Vec<Value>, ScimFault> {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    let slot = obj.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().ok_or_else(|| ScimFault::InvalidValue(format!("{name} is not multi-valued")))
}

fn set_member(obj: &mut Map<String, Value>, name: &str, value: Value) {
    if let Some(old) = find_key(obj, name) {
        obj.remove(&old);
    }
    let value =
        if name.eq_ignore_ascii_case("active") { boolish(&value).map(Value::Bool).unwrap_or(value) } else { value };
    obj.insert(name.to_string(), value);
}

fn remove_member(obj: &mut Map<String, Value>, name: &str) {
    if let Some(old) = find_key(obj, name) {
        obj.remove(&old);
    }
}

fn matches(element: &Value, clauses: &[(&'static str, Value)]) -> bool {
    let Some(obj) = element.as_object() else { return false };
    clauses.iter().all(|(sub, want)| {
        let have = find_key(obj, sub).and_then(|k| obj.get(&k));
        match (have, want) {
            // String sub-attributes of plural values (type, value) are not case-exact (RFC 7643 §2.4).
            (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
            (Some(a), b) => boolish(a).zip(boolish(b)).map_or(a == b, |(x, y)| x == y),
            // An absent `primary` is false.
            (None, b) => boolish(b) == Some(false),
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

fn object_value<'a>(path: &AttrPath, value: &'a Value) -> Result<&'a Map<String, Value>, ScimFault> {
    value.as_object().ok_or_else(|| ScimFault::InvalidValue(format!("a value of {} must be an object", path.attr)))
}

/// Apply one operation at a parsed path. Every level is named by the path (at most extension, attribute,
/// sub-attribute), so there is no recursion.
fn apply(doc: &mut Map<String, Value>, path: &AttrPath, op: Op, value: Option<&Value>) -> Result<(), ScimFault> {
    let container = match path.extension {
        Some(urn) => object_member(doc, urn)?,
        None => doc,
    };
    let value = value.cloned().unwrap_or(Value::Null);
    if !path.multi {
        match (path.sub, op) {
            (None, Op::Remove) => remove_member(container, path.attr),
            // `{"name": {"givenName": ..}}` without a path sets the given sub-attributes and keeps the others.
            (None, Op::Add | Op::Replace) if path.complex && value.is_object() => {
                let target = object_member(container, path.attr)?;
                for (k, v) in object_value(path, &value)? {
                    let canonical = lookup(CORE, path.attr)
                        .or_else(|| lookup(ENTERPRISE, path.attr))
                        .and_then(|d| sub_of(d, k))
                        .ok_or_else(|| {
                            ScimFault::InvalidPath(format!("{} has no sub-attribute {:?}", path.attr, short(k)))
                        })?;
                    set_member(target, canonical, v.clone());
                }
            }
            (None, _) => set_member(container, path.attr, value),
            (Some(sub), Op::Remove) => remove_member(object_member(container, path.attr)?, sub),
            (Some(sub), _) => set_member(object_member(container, path.attr)?, sub, value),
        }
        return Ok(());
    }
    if path.filter.is_none() && path.sub.is_none() && op == Op::Remove {
        remove_member(container, path.attr);
        return Ok(());
    }
    let list = list_member(container, path.attr)?;
    let Some(clauses) = &path.filter else {
        match (path.sub, op) {
            (None, Op::Remove) => {}
            // Adding to a list appends (RFC 7644 §3.5.2.1); a single value counts as a one-element list.
            (None, Op::Add) => {
                let new = match value {
                    Value::Array(v) => v,
                    other => vec![other],
                };
                for v in new {
                    if !list.contains(&v) {
                        list.push(v);
                    }
                }
            }
            (None, Op::Replace) => {
                let new = match value {
                    Value::Array(v) => v,
                    other => vec![other],
                };
                *list = new;
            }
            (Some(sub), _) => {
                if list.is_empty() {
                    return Err(ScimFault::NoTarget(format!("{} has no values", path.attr)));
                }
                for e in list.iter_mut().filter_map(Value::as_object_mut) {
                    match op {
                        Op::Remove => remove_member(e, sub),
                        _ => set_member(e, sub, value.clone()),
                    }
                }
            }
        }
        return Ok(());
    };
    let hits: Vec<usize> = (0..list.len()).filter(|&i| matches(&list[i], clauses)).collect();
    if hits.is_empty() {
        if op == Op::Remove {
            return Err(ScimFault::NoTarget(format!("no {} value matches the filter", path.attr)));
        }
        // No match: the filter's equalities and the value make a new element (what Entra expects of
        // `emails[type eq "work"].value` on a user without a work address).
        let mut element = Map::new();
        for (k, v) in clauses {
            element.insert(k.to_string(), v.clone());
        }
        match path.sub {
            Some(sub) => {
                element.insert(sub.to_string(), value);
            }
            None => element.extend(object_value(path, &value)?.clone()),
        }
        list.push(Value::Object(element));
        return Ok(());
    }
    match (op, path.sub) {
        (Op::Remove, None) => {
            for i in hits.into_iter().rev() {
                list.remove(i);
            }
        }
        (_, Some(sub)) => {
            for i in hits {
                if let Some(e) = list[i].as_object_mut() {
                    match op {
                        Op::Remove => remove_member(e, sub),
                        _ => set_member(e, sub, value.clone()),
                    }
                }
            }
        }
        (_, None) => {
            let new = object_value(path, &value)?;
            for i in hits {
                if op == Op::Add {
                    if let Some(e) = list[i].as_object_mut() {
                        e.extend(new.clone());
                        continue;
                    }
                }
                list[i] = Value::Object(new.clone());
            }
        }
    }
    Ok(())
}

/// Apply a PatchOp to a stored user document (RFC 7644 §3.5.2). Every path, including the member names of a
/// path-less value, must name an attribute of the User schema: an unknown one is `invalidPath`, never ignored.
pub fn patch_document(doc: &mut Value, patch: &Value) -> Result<(), ScimFault> {
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(obj) = doc else { return Ok(()) };
    let ops = patch
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimFault::InvalidValue("a PatchOp needs an Operations array".into()))?;
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let kind = match name.as_str() {
            "add" => Op::Add,
            "replace" => Op::Replace,
            "remove" => Op::Remove,
            other => return Err(ScimFault::InvalidValue(format!("unsupported operation {:?}", short(other)))),
        };
        let value = op.get("value");
        match (kind, op.get("path")) {
            (_, Some(Value::String(p))) => apply(obj, &parse_path(p)?, kind, value)?,
            (_, Some(_)) => return Err(ScimFault::InvalidPath("path must be a string".into())),
            (Op::Remove, None) => return Err(ScimFault::NoTarget("remove needs a path".into())),
            (_, None) => {
                let members = value.and_then(Value::as_object).ok_or_else(|| {
                    ScimFault::InvalidValue("an operation without a path needs an object value".into())
                })?;
                for (k, v) in members {
                    if k == "schemas" || k == "id" || k == "meta" {
                        continue;
                    }
                    if k.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) {
                        // The extension's own object: its members are its attributes.
                        let inner = v
                            .as_object()
                            .ok_or_else(|| ScimFault::InvalidValue(format!("{ENTERPRISE_SCHEMA} must be an object")))?;
                        for (ik, iv) in inner {
                            if ik.len() > MAX_PATH_LEN {
                                return Err(ScimFault::InvalidPath("attribute name is too long".into()));
                            }
                            apply(obj, &parse_path(&format!("{ENTERPRISE_SCHEMA}:{ik}"))?, kind, Some(iv))?;
                        }
                        continue;
                    }
                    apply(obj, &parse_path(k)?, kind, Some(v))?;
                }
            }
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
