//! SCIM PATCH (RFC 7644 §3.5.2): operations applied to a stored User document, and projecting a document to the
//! attributes asked for.

use serde_json::{Map, Value};

use super::*;

pub(super) fn find_key(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// The member `name` (matched case-insensitively) as an object, made one if it is missing or not an object.
pub(super) fn object_member<'a>(
    obj: &'a mut Map<String, Value>,
    name: &str,
) -> Result<&'a mut Map<String, Value>, ScimFault> {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    let slot = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().ok_or_else(|| ScimFault::InvalidValue(format!("{name} is not a complex attribute")))
}

/// The member `name` as a list, made one if it is missing or not a list.
pub(super) fn list_member<'a>(obj: &'a mut Map<String, Value>, name: &str) -> Result<&'a mut Vec<Value>, ScimFault> {
    let key = find_key(obj, name).unwrap_or_else(|| name.to_string());
    let slot = obj.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().ok_or_else(|| ScimFault::InvalidValue(format!("{name} is not multi-valued")))
}

pub(super) fn set_member(obj: &mut Map<String, Value>, name: &str, value: Value) {
    if let Some(old) = find_key(obj, name) {
        obj.remove(&old);
    }
    let value =
        if name.eq_ignore_ascii_case("active") { boolish(&value).map(Value::Bool).unwrap_or(value) } else { value };
    obj.insert(name.to_string(), value);
}

pub(super) fn remove_member(obj: &mut Map<String, Value>, name: &str) {
    if let Some(old) = find_key(obj, name) {
        obj.remove(&old);
    }
}

pub(super) fn matches(element: &Value, clauses: &[(&'static str, Value)]) -> bool {
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
pub(super) enum Op {
    Add,
    Replace,
    Remove,
}

pub(super) fn object_value<'a>(path: &AttrPath, value: &'a Value) -> Result<&'a Map<String, Value>, ScimFault> {
    value.as_object().ok_or_else(|| ScimFault::InvalidValue(format!("a value of {} must be an object", path.attr)))
}

/// Apply one operation at a parsed path. Every level is named by the path (at most extension, attribute,
/// sub-attribute), so there is no recursion.
pub(super) fn apply(
    doc: &mut Map<String, Value>,
    path: &AttrPath,
    op: Op,
    value: Option<&Value>,
) -> Result<(), ScimFault> {
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
