//! A record's history in words: each ledger entry a sentence naming the people and pools it touched, and the
//! entries made together (one transaction, one actor, one cause) grouped under what made them, with a link to it.
//! The ledger keeps ids; names are read when the history is, so a sentence shows today's name.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use seatwise_types::{format_money_plain, HistoryGroup, HistoryLine, HistoryLink, HistorySource, LedgerEntry, Money};
use serde_json::Value;

/// What a ledger entry says caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    ChangeRequest(i64),
    Case(i64),
    Direct,
}

fn field(e: &LedgerEntry, key: &str) -> Option<i64> {
    [&e.after, &e.before].into_iter().flatten().find_map(|v| v.get(key).and_then(Value::as_i64))
}

pub fn cause(e: &LedgerEntry) -> Cause {
    match (field(e, "change_request_id"), field(e, "case_id")) {
        (Some(id), _) => Cause::ChangeRequest(id),
        (None, Some(id)) => Cause::Case(id),
        (None, None) => Cause::Direct,
    }
}

/// What a page of entries names by id, to be read once for the whole page.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Referenced {
    pub people: BTreeSet<i64>,
    pub pools: BTreeSet<i64>,
    pub change_requests: BTreeSet<i64>,
    pub cases: BTreeSet<i64>,
    /// When entries made without a change request or case were written (an import's apply is one instant).
    pub direct_times: BTreeSet<DateTime<Utc>>,
}

const PERSON_KEYS: [&str; 3] = ["person_id", "from_person_id", "to_person_id"];
const POOL_KEYS: [&str; 3] = ["pool_id", "from_pool_id", "to_pool_id"];

pub fn referenced(entries: &[LedgerEntry]) -> Referenced {
    let mut r = Referenced::default();
    for e in entries {
        for v in [&e.after, &e.before].into_iter().flatten() {
            for scope in [Some(v), v.get("operation")].into_iter().flatten() {
                r.people.extend(PERSON_KEYS.iter().filter_map(|k| scope.get(k).and_then(Value::as_i64)));
                r.pools.extend(POOL_KEYS.iter().filter_map(|k| scope.get(k).and_then(Value::as_i64)));
            }
        }
        match cause(e) {
            Cause::ChangeRequest(id) => r.change_requests.insert(id),
            Cause::Case(id) => r.cases.insert(id),
            Cause::Direct => r.direct_times.insert(e.at),
        };
    }
    r
}

/// What a reclamation case says of its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCause {
    /// The policy whose run opened it (none for offboarding and hand-picked seats).
    pub policy: Option<(i64, String)>,
    /// Why the seat was selected, in words.
    pub reason: String,
}

/// The names and causes a page of entries needs.
#[derive(Debug, Default)]
pub struct Names {
    pub people: HashMap<i64, String>,
    pub pools: HashMap<i64, String>,
    /// Title and reason.
    pub change_requests: HashMap<i64, (String, String)>,
    pub cases: HashMap<i64, CaseCause>,
    /// Imports applied at an instant: id and file name.
    pub imports: HashMap<DateTime<Utc>, (i64, String)>,
}

impl Names {
    fn person(&self, v: &Value, key: &str) -> Option<String> {
        v.get(key).and_then(Value::as_i64).and_then(|id| self.people.get(&id).cloned())
    }

    fn pool(&self, v: &Value, key: &str) -> String {
        v.get(key)
            .and_then(Value::as_i64)
            .and_then(|id| self.pools.get(&id).cloned())
            .unwrap_or_else(|| "another pool".into())
    }

    /// Who holds the seat a record describes: a seat's holder, a named person id, or its device.
    fn holder(&self, v: Option<&Value>) -> String {
        let Some(v) = v else { return "someone".into() };
        v.get("person")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.person(v, "person_id"))
            .or_else(|| v.get("device").and_then(Value::as_str).map(|d| format!("device {d}")))
            .unwrap_or_else(|| "someone".into())
    }
}

/// A value as a person reads it: money with its currency, a reference by its name, text as it is.
fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(Value::Object(o)) => match (o.get("amount_minor").and_then(Value::as_i64), o.get("currency")) {
            (Some(minor), Some(Value::String(c))) => format_money_plain(&Money::new(minor, c.clone())),
            _ => o.get("name").and_then(Value::as_str).unwrap_or("…").to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// Fields a person changes on a pool (not those derived from them, which change along).
const EDITABLE: [&str; 17] = [
    "name",
    "tier",
    "license_type",
    "seats_purchased",
    "unit_cost",
    "billing_period",
    "contract_start",
    "contract_end",
    "auto_renew",
    "notice_days",
    "po_number",
    "owner",
    "department",
    "cost_centre",
    "allow_overage",
    "notes",
    "vendor",
];

fn edited(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else { return Vec::new() };
    EDITABLE
        .iter()
        .filter(|k| a.get(**k) != b.get(**k))
        .map(|k| format!("{} {} → {}", k.replace('_', " "), shown(b.get(*k)), shown(a.get(*k))))
        .collect()
}

fn operation(op: &Value, names: &Names) -> String {
    let person = |k: &str| names.person(op, k).unwrap_or_else(|| "someone".into());
    match op.get("op").and_then(Value::as_str).unwrap_or("") {
        "assign" => format!("Gave a seat to {}", person("person_id")),
        "unassign" => format!("Took back the seat of {}", person("person_id")),
        "reassign" => format!("Reassigned the seat of {} to {}", person("from_person_id"), person("to_person_id")),
        "move" => format!(
            "Moved {} from {} to {}",
            person("person_id"),
            names.pool(op, "from_pool_id"),
            names.pool(op, "to_pool_id")
        ),
        "set_seats" => format!("Set the seats purchased to {}", shown(op.get("seats_purchased"))),
        "retire_pool" => "Retired the pool".into(),
        other => format!("Applied “{other}”"),
    }
}

/// One entry as a sentence.
pub fn sentence(e: &LedgerEntry, names: &Names) -> String {
    let (before, after) = (e.before.as_ref(), e.after.as_ref());
    match e.action.as_str() {
        "pool.create" => "Created the pool".into(),
        "pool.update" => match edited(before, after) {
            changes if changes.is_empty() => "Edited the pool".into(),
            changes => format!("Edited the pool: {}", changes.join("; ")),
        },
        "pool.seat_assign" => format!("Gave a seat to {}", names.holder(after)),
        "pool.seat_unassign" => format!("Took back the seat of {}", names.holder(before.or(after))),
        "pool.seat_reassign" => {
            format!("Reassigned the seat of {} to {}", names.holder(before), names.holder(after))
        }
        "pool.seat_reclaim_mark" => format!("Marked the seat of {} for reclamation", names.holder(after)),
        "reclamation.restore" => format!("Gave {} their seat back", names.holder(after)),
        "pool.contract_link" => "Linked the pool to its contract".into(),
        "pool.contract_dates" => "Took the contract's dates".into(),
        "change_request.operation" => match after.and_then(|a| a.get("operation")) {
            Some(op) => operation(op, names),
            None => "Applied a change request row".into(),
        },
        other => {
            let words = other.rsplit('.').next().unwrap_or(other).replace('_', " ");
            let mut chars = words.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// What a group of entries is filed under: its cause, or (made directly) the import applied at that instant, or
/// the entry alone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    ChangeRequest(i64),
    Policy(i64),
    Case(i64),
    Import(i64),
    Alone(i64),
}

fn key(e: &LedgerEntry, names: &Names) -> Key {
    match cause(e) {
        Cause::ChangeRequest(id) => Key::ChangeRequest(id),
        Cause::Case(id) => match names.cases.get(&id).and_then(|c| c.policy.as_ref()) {
            Some((policy, _)) => Key::Policy(*policy),
            None => Key::Case(id),
        },
        Cause::Direct => match names.imports.get(&e.at) {
            Some((import, _)) => Key::Import(*import),
            None => Key::Alone(e.seq),
        },
    }
}

fn link(key: &Key, first: &LedgerEntry, names: &Names) -> (Option<HistoryLink>, Option<String>) {
    let to = |kind, id, label: String| Some(HistoryLink { kind, id, label });
    match key {
        Key::ChangeRequest(id) => match names.change_requests.get(id) {
            Some((title, reason)) => (
                to(HistorySource::ChangeRequest, *id, format!("Change request #{id} “{title}”")),
                (!reason.trim().is_empty()).then(|| reason.clone()),
            ),
            None => (to(HistorySource::ChangeRequest, *id, format!("Change request #{id}")), None),
        },
        Key::Policy(id) => {
            let case = match cause(first) {
                Cause::Case(c) => names.cases.get(&c),
                _ => None,
            };
            let name = case.and_then(|c| c.policy.as_ref()).map(|(_, n)| n.clone()).unwrap_or_default();
            // Each seat's own reason is on its line.
            (to(HistorySource::ReclamationPolicy, *id, format!("Reclamation policy “{name}”")), None)
        }
        Key::Case(id) => {
            let reason = names.cases.get(id).map(|c| c.reason.clone());
            (to(HistorySource::ReclamationCase, *id, format!("Reclamation case #{id}")), reason)
        }
        Key::Import(id) => {
            let file = names.imports.get(&first.at).map(|(_, f)| f.clone()).unwrap_or_default();
            (to(HistorySource::Import, *id, format!("Import #{id} {file}")), None)
        }
        Key::Alone(_) => (None, None),
    }
}

/// Entries (newest first) grouped: consecutive entries of one instant, actor and cause are one group.
pub fn group(entries: &[LedgerEntry], names: &Names) -> Vec<HistoryGroup> {
    let mut groups: Vec<(Key, HistoryGroup)> = Vec::new();
    for e in entries {
        let k = key(e, names);
        let text = match (cause(e), &k) {
            (Cause::Case(c), Key::Policy(_)) => match names.cases.get(&c) {
                Some(case) => format!("{}: {}", sentence(e, names), case.reason.to_lowercase()),
                None => sentence(e, names),
            },
            _ => sentence(e, names),
        };
        let line = HistoryLine { seq: e.seq, text };
        match groups.last_mut() {
            Some((last, g)) if *last == k && g.at == e.at && g.actor == e.actor => g.lines.push(line),
            _ => {
                let (link, why) = link(&k, e, names);
                let group = HistoryGroup {
                    at: e.at,
                    actor: e.actor.clone(),
                    title: String::new(),
                    why,
                    link,
                    lines: vec![line],
                };
                groups.push((k, group));
            }
        }
    }
    groups
        .into_iter()
        .map(|(_, mut g)| {
            g.title = match g.lines.as_slice() {
                [one] => one.text.clone(),
                many => format!("{} changes", many.len()),
            };
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(seq: i64, at: i64, action: &str, before: Option<Value>, after: Option<Value>) -> LedgerEntry {
        LedgerEntry {
            seq,
            at: DateTime::from_timestamp(1_780_000_000 + at, 0).unwrap_or_default(),
            actor: "owner@example.com".into(),
            action: action.into(),
            record_type: "pool".into(),
            record_id: Some(7),
            before,
            after,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn names() -> Names {
        let mut n = Names::default();
        n.people.extend([(1, "Ana Lopez".to_string()), (2, "Ben Ode".to_string())]);
        n.pools.extend([(7, "Figma".to_string()), (8, "FigJam".to_string())]);
        n.change_requests.insert(12, ("Take back 2 seats".into(), "Left the design team".into()));
        n.cases.insert(
            40,
            CaseCause { policy: Some((3, "Inactive 90 days".into())), reason: "No sign-in for 90 days".into() },
        );
        n.imports.insert(DateTime::from_timestamp(1_780_000_300, 0).unwrap_or_default(), (4, "users.csv".into()));
        n
    }

    #[test]
    fn every_entry_reads_as_a_sentence_with_names() {
        let n = names();
        let op = |op: Value| {
            entry(
                1,
                0,
                "change_request.operation",
                None,
                Some(json!({"change_request_id": 12, "row": 1, "operation": op})),
            )
        };
        assert_eq!(
            sentence(&op(json!({"op": "unassign", "pool_id": 7, "person_id": 1})), &n),
            "Took back the seat of Ana Lopez"
        );
        assert_eq!(
            sentence(&op(json!({"op": "move", "from_pool_id": 7, "to_pool_id": 8, "person_id": 2})), &n),
            "Moved Ben Ode from Figma to FigJam"
        );
        assert_eq!(
            sentence(&op(json!({"op": "set_seats", "pool_id": 7, "seats_purchased": 30})), &n),
            "Set the seats purchased to 30"
        );
        let case = entry(2, 0, "pool.seat_unassign", Some(json!({"case_id": 40, "person_id": 2})), None);
        assert_eq!(sentence(&case, &n), "Took back the seat of Ben Ode");
        let by_hand = entry(3, 0, "pool.seat_unassign", Some(json!({"person": {"id": 1, "name": "Ana Lopez"}})), None);
        assert_eq!(sentence(&by_hand, &n), "Took back the seat of Ana Lopez");
        let edit = entry(
            4,
            0,
            "pool.update",
            Some(json!({"seats_purchased": 20, "annual_cost": {"amount_minor": 1, "currency": "USD"}})),
            Some(json!({"seats_purchased": 25, "annual_cost": {"amount_minor": 2, "currency": "USD"}})),
        );
        assert_eq!(sentence(&edit, &n), "Edited the pool: seats purchased 20 → 25", "derived figures are left out");
        assert_eq!(sentence(&entry(5, 0, "pool.something_new", None, None), &n), "Something new");
    }

    #[test]
    fn entries_made_together_are_one_group_linked_to_their_cause() {
        let n = names();
        let cr = |seq, person| {
            entry(
                seq,
                0,
                "change_request.operation",
                None,
                Some(json!({"change_request_id": 12, "operation": {"op": "unassign", "person_id": person}})),
            )
        };
        let policy = |seq, person| {
            entry(seq, 100, "pool.seat_unassign", Some(json!({"case_id": 40, "person_id": person})), None)
        };
        let import = |seq| entry(seq, 300, "pool.seat_assign", None, Some(json!({"person_id": 1})));
        let by_hand = |seq| entry(seq, 400, "pool.seat_assign", None, Some(json!({"person": {"name": "Ben Ode"}})));
        let entries = [by_hand(9), by_hand(8), import(7), import(6), policy(5, 1), policy(4, 2), cr(3, 1), cr(2, 2)];
        let groups = group(&entries, &n);
        let summary: Vec<(String, Option<String>, usize)> =
            groups.iter().map(|g| (g.title.clone(), g.link.as_ref().map(|l| l.label.clone()), g.lines.len())).collect();
        assert_eq!(
            summary,
            [
                ("Gave a seat to Ben Ode".into(), None, 1),
                ("Gave a seat to Ben Ode".into(), None, 1),
                ("2 changes".into(), Some("Import #4 users.csv".into()), 2),
                ("2 changes".into(), Some("Reclamation policy “Inactive 90 days”".into()), 2),
                ("2 changes".into(), Some("Change request #12 “Take back 2 seats”".into()), 2),
            ]
        );
        assert_eq!(groups[3].lines[0].text, "Took back the seat of Ana Lopez: no sign-in for 90 days");
        assert_eq!(groups[4].why.as_deref(), Some("Left the design team"));
        assert_eq!(groups[4].lines[1].text, "Took back the seat of Ben Ode");
        let r = referenced(&entries);
        assert_eq!((r.change_requests.len(), r.cases.len(), r.people.len()), (1, 1, 2));
    }
}
