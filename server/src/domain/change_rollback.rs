//! Rolling a change request back: the snapshot each stage takes of what it is about to change, the operations
//! that undo what was applied, and the records changed since (a rollback would overwrite them, so it is refused,
//! naming each one).

use std::collections::{BTreeSet, HashMap};

use seatwise_types::FieldError;
use serde::{Deserialize, Serialize};

use super::seat_snapshot::{PoolBefore, SeatBefore};

use super::change_request::{Facts, Operation};

/// Every record a stage was about to change, as it was, and the seats it left behind as it wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub pools: Vec<PoolBefore>,
    /// The seats held before (of the people the stage names, and every seat of a pool it retires).
    pub seats: Vec<SeatBefore>,
    /// The seats it names held once it was applied, as it left them: a rollback undoes a seat only while it is
    /// still that record (not one someone gave again since). Empty for stages applied before this was kept.
    #[serde(default)]
    pub after: Vec<SeatBefore>,
}

impl Snapshot {
    /// Stages' snapshots as one: the first stage's record of a pool or seat is what was there before the request,
    /// the last stage's record of a seat is what the request left.
    pub fn merged(stages: impl IntoIterator<Item = Snapshot>) -> Snapshot {
        let mut out = Snapshot::default();
        let (mut pools, mut seats) = (BTreeSet::new(), BTreeSet::new());
        let mut after: HashMap<(i64, i64), SeatBefore> = HashMap::new();
        for s in stages {
            out.pools.extend(s.pools.into_iter().filter(|p| pools.insert(p.id)));
            out.seats.extend(s.seats.into_iter().filter(|a| seats.insert((a.pool_id, a.person_id))));
            after.extend(s.after.into_iter().map(|a| ((a.pool_id, a.person_id), a)));
        }
        out.after = after.into_values().collect();
        out.after.sort_by_key(|a| (a.pool_id, a.person_id));
        out
    }
}

impl SeatBefore {
    /// The same seat record: the same row (when both know it), given at the same time by the same person. A seat
    /// taken back and given again, or handed to someone else and back, is another record.
    pub fn same_record(&self, other: &SeatBefore) -> bool {
        let same_row = match (self.id, other.id) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        same_row && self.assigned_at == other.assigned_at && self.assigned_by == other.assigned_by
    }
}

/// What a stage's snapshot holds: the pools its rows change, the seats they name, and the pools they retire
/// (whose every seat is freed).
pub fn touched(ops: &[(u64, Operation)]) -> (Vec<i64>, Vec<(i64, i64)>, Vec<i64>) {
    let mut pools = BTreeSet::new();
    let mut seats = BTreeSet::new();
    let mut retired = BTreeSet::new();
    for (_, op) in ops {
        let people = op.people();
        for pool in op.pools() {
            pools.insert(pool);
            seats.extend(people.iter().map(|person| (pool, *person)));
        }
        if let Operation::RetirePool { pool_id } = op {
            retired.insert(*pool_id);
        }
    }
    (pools.into_iter().collect(), seats.into_iter().collect(), retired.into_iter().collect())
}

/// The rows a rollback of chosen rows takes, checked against the `applied` rows of the request: sorted, each
/// once; `None` for all of them (nothing or an empty list chosen).
pub fn chosen_rows(rows: Option<&[u64]>, applied: i64) -> Result<Option<Vec<u64>>, String> {
    let Some(rows) = rows.filter(|r| !r.is_empty()) else { return Ok(None) };
    if let Some(bad) = rows.iter().find(|r| **r == 0 || **r as i64 > applied) {
        return Err(format!("row {bad} was not applied: choose rows 1 to {applied}"));
    }
    let mut sorted = rows.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(Some(sorted))
}

/// Chosen rows as people read them: "row 3", "rows 1, 4 and 7", "rows 2–6".
pub fn rows_text(rows: &[u64]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        runs.push(if j > i + 1 { format!("{}–{}", rows[i], rows[j]) } else { rows[i].to_string() });
        if j == i + 1 {
            runs.push(rows[j].to_string());
        }
        i = j + 1;
    }
    let word = if rows.len() == 1 { "row" } else { "rows" };
    match runs.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{word} {} and {last}", rest.join(", ")),
        _ => format!("{word} {}", runs.join("")),
    }
}

/// The operations that undo a request, each with the row of the request it undoes, and the annual costs they
/// put back (by pool).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Undo {
    pub ops: Vec<(u64, Operation)>,
    pub restored_costs: HashMap<i64, i64>,
}

/// Undo the `applied` rows of a request from the state `before` it (with the seats it left, `before.after`), given
/// the state `now` and the seat records held now (`records`). A record the request changed that has changed again
/// since, even if it came back to the same holder (given again by someone else), is an error on that row: undoing
/// it would overwrite the later change.
pub fn undo(
    applied: &[(u64, Operation)],
    before: &Snapshot,
    now: &Facts,
    records: &[SeatBefore],
) -> Result<Undo, Vec<FieldError>> {
    let (out, errors) = undo_all(applied, before, now, records);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The rows a rollback still has to apply would overwrite a later change: the errors of `undo` on the rows of the
/// original whose every undoing operation is among the rollback's rows after its first `done` (a rollback that
/// was piloted has changed the others itself).
pub fn still_changed_since(undo: &Undo, errors: Vec<FieldError>, done: usize) -> Vec<FieldError> {
    let started: BTreeSet<u64> = undo.ops.iter().take(done).map(|(row, _)| *row).collect();
    errors.into_iter().filter(|e| e.row.is_some_and(|row| !started.contains(&row))).collect()
}

/// [`undo`]'s operations and its errors together (the operations are whole even where there are errors).
pub fn undo_all(
    applied: &[(u64, Operation)],
    before: &Snapshot,
    now: &Facts,
    records: &[SeatBefore],
) -> (Undo, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut out = Undo::default();
    let left: HashMap<(i64, i64), &SeatBefore> = before.after.iter().map(|a| ((a.pool_id, a.person_id), a)).collect();
    let current: HashMap<(i64, i64), &SeatBefore> = records.iter().map(|a| ((a.pool_id, a.person_id), a)).collect();
    // Held now, and (where the request's own record is known) still the record it left.
    let still_ours = |pool: i64, person: i64| {
        now.seats.contains(&(pool, person))
            && match (left.get(&(pool, person)), current.get(&(pool, person))) {
                (Some(ours), Some(theirs)) => ours.same_record(theirs),
                _ => true,
            }
    };
    let pool_name = |id: i64| now.pools.get(&id).map_or_else(|| format!("pool {id}"), |p| format!("“{}”", p.name));
    let person_name = |id: i64| now.people.get(&id).map_or_else(|| format!("person {id}"), |p| p.name.clone());
    let held = |pool: i64, person: i64| now.seats.contains(&(pool, person));
    let pool_before: HashMap<i64, &PoolBefore> = before.pools.iter().map(|p| (p.id, p)).collect();
    let changed = |row: u64, path: &str, what: String| FieldError {
        path: path.into(),
        message: format!("{what} changed after this request was applied: rolling it back would overwrite that"),
        row: Some(row),
        line: None,
    };
    let seat = |pool: i64, person: i64| format!("{}'s seat on {}", person_name(person), pool_name(pool));
    for &(row, op) in applied.iter().rev() {
        match op {
            Operation::Assign { pool_id, person_id } => {
                if !still_ours(pool_id, person_id) {
                    errors.push(changed(row, "person_id", seat(pool_id, person_id)));
                }
                out.ops.push((row, Operation::Unassign { pool_id, person_id }));
            }
            Operation::Unassign { pool_id, person_id } => {
                if held(pool_id, person_id) {
                    errors.push(changed(row, "person_id", seat(pool_id, person_id)));
                }
                out.ops.push((row, Operation::Assign { pool_id, person_id }));
            }
            Operation::Reassign { pool_id, from_person_id, to_person_id } => {
                if held(pool_id, from_person_id) {
                    errors.push(changed(row, "from_person_id", seat(pool_id, from_person_id)));
                }
                if !still_ours(pool_id, to_person_id) {
                    errors.push(changed(row, "to_person_id", seat(pool_id, to_person_id)));
                }
                let undone =
                    Operation::Reassign { pool_id, from_person_id: to_person_id, to_person_id: from_person_id };
                out.ops.push((row, undone));
            }
            Operation::Move { from_pool_id, to_pool_id, person_id } => {
                if held(from_pool_id, person_id) {
                    errors.push(changed(row, "from_pool_id", seat(from_pool_id, person_id)));
                }
                if !still_ours(to_pool_id, person_id) {
                    errors.push(changed(row, "to_pool_id", seat(to_pool_id, person_id)));
                }
                out.ops.push((row, Operation::Move { from_pool_id: to_pool_id, to_pool_id: from_pool_id, person_id }));
            }
            Operation::SetSeats { pool_id, seats_purchased } => {
                let current = now.pools.get(&pool_id).and_then(|p| p.seats_purchased);
                if current != Some(seats_purchased) {
                    errors.push(changed(
                        row,
                        "seats_purchased",
                        format!("The seats purchased of {}", pool_name(pool_id)),
                    ));
                }
                match pool_before.get(&pool_id) {
                    Some(PoolBefore { seats_purchased: Some(n), .. }) => {
                        out.ops.push((row, Operation::SetSeats { pool_id, seats_purchased: *n }));
                    }
                    _ => errors.push(missing(row, pool_name(pool_id))),
                }
            }
            Operation::RetirePool { pool_id } => {
                if !now.pools.get(&pool_id).is_some_and(|p| p.retired) {
                    errors.push(changed(row, "pool_id", format!("Whether {} is retired", pool_name(pool_id))));
                }
                match pool_before.get(&pool_id) {
                    Some(_) => {
                        out.ops.push((row, Operation::RestorePool { pool_id }));
                        let mut holders: Vec<i64> =
                            before.seats.iter().filter(|s| s.pool_id == pool_id).map(|s| s.person_id).collect();
                        holders.sort_unstable();
                        out.ops.extend(
                            holders.into_iter().map(|person_id| (row, Operation::Assign { pool_id, person_id })),
                        );
                    }
                    None => errors.push(missing(row, pool_name(pool_id))),
                }
            }
            Operation::RestorePool { pool_id } => {
                if now.pools.get(&pool_id).is_none_or(|p| p.retired) {
                    errors.push(changed(row, "pool_id", format!("Whether {} is retired", pool_name(pool_id))));
                }
                out.ops.push((row, Operation::RetirePool { pool_id }));
            }
        }
    }
    // A restored pool takes its seats back after it is back in use: restores first.
    out.ops.sort_by_key(|(_, op)| !matches!(op, Operation::RestorePool { .. }));
    out.restored_costs = restored_costs(&out.ops, before);
    errors.sort_by_key(|e| (e.row, e.path.clone()));
    (out, errors)
}

/// The annual costs a rollback's rows put back: each pool whose seat count it resets or that it brings back costs
/// what it did before the request it rolls back.
pub fn restored_costs(ops: &[(u64, Operation)], before: &Snapshot) -> HashMap<i64, i64> {
    let costs: HashMap<i64, i64> = before.pools.iter().map(|p| (p.id, p.annual_cost_minor)).collect();
    ops.iter()
        .filter_map(|(_, op)| match op {
            Operation::SetSeats { pool_id, .. } | Operation::RestorePool { pool_id } => {
                costs.get(pool_id).map(|c| (*pool_id, *c))
            }
            _ => None,
        })
        .collect()
}

fn missing(row: u64, pool: String) -> FieldError {
    FieldError {
        path: "pool_id".into(),
        message: format!("the snapshot taken before this row was applied holds no record of {pool}"),
        row: Some(row),
        line: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{DateTime, Utc};

    use seatwise_types::BillingPeriod;

    use super::*;
    use crate::domain::change_request::{PersonFacts, PoolFacts};

    fn facts(seats: &[(i64, i64)], purchased: i64, retired: bool) -> Facts {
        let pool = PoolFacts {
            id: 1,
            name: "Figma".into(),
            seats_purchased: Some(purchased),
            seats_assigned: seats.len() as i64,
            allow_overage: false,
            retired,
            may_edit: true,
            may_ask: false,
            unit_cost_minor: 100,
            billing_period: BillingPeriod::Monthly,
            currency: "USD".into(),
            contract_start: None,
            contract_end: None,
            annual_cost_minor: 0,
        };
        let people = (1..=3).map(|id| (id, PersonFacts { id, name: format!("P{id}"), terminated: false })).collect();
        Facts {
            pools: HashMap::from([(1, pool)]),
            people,
            seats: seats.iter().copied().collect::<HashSet<_>>(),
            ..Default::default()
        }
    }

    fn before(seats: &[(i64, i64)], purchased: i64) -> Snapshot {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        Snapshot {
            pools: vec![PoolBefore {
                id: 1,
                seats_purchased: Some(purchased),
                annual_cost_minor: 1_200,
                retired: false,
            }],
            after: Vec::new(),
            seats: seats
                .iter()
                .map(|&(pool_id, person_id)| SeatBefore {
                    id: None,
                    pool_id,
                    person_id,
                    assigned_at: at,
                    assigned_by: None,
                    reclaim_marked_at: None,
                    reclaim_reason: None,
                })
                .collect(),
        }
    }

    #[test]
    fn each_operation_is_undone_by_its_opposite() {
        let applied = [
            (1, Operation::Assign { pool_id: 1, person_id: 1 }),
            (2, Operation::Reassign { pool_id: 1, from_person_id: 2, to_person_id: 3 }),
            (3, Operation::SetSeats { pool_id: 1, seats_purchased: 9 }),
        ];
        let undo = undo(&applied, &before(&[(1, 2)], 5), &facts(&[(1, 1), (1, 3)], 9, false), &[]).unwrap_or_default();
        assert_eq!(
            undo.ops,
            [
                (3, Operation::SetSeats { pool_id: 1, seats_purchased: 5 }),
                (2, Operation::Reassign { pool_id: 1, from_person_id: 3, to_person_id: 2 }),
                (1, Operation::Unassign { pool_id: 1, person_id: 1 }),
            ]
        );
        assert_eq!(undo.restored_costs.get(&1), Some(&1_200));
    }

    #[test]
    fn a_retired_pool_comes_back_with_its_holders() {
        let applied = [(1, Operation::RetirePool { pool_id: 1 })];
        let undo = undo(&applied, &before(&[(1, 3), (1, 2)], 5), &facts(&[], 5, true), &[]).unwrap_or_default();
        assert_eq!(
            undo.ops,
            [
                (1, Operation::RestorePool { pool_id: 1 }),
                (1, Operation::Assign { pool_id: 1, person_id: 2 }),
                (1, Operation::Assign { pool_id: 1, person_id: 3 }),
            ]
        );
    }

    #[test]
    fn later_changes_are_named_not_overwritten() {
        let applied = [
            (1, Operation::Assign { pool_id: 1, person_id: 1 }),
            (2, Operation::Unassign { pool_id: 1, person_id: 2 }),
            (3, Operation::SetSeats { pool_id: 1, seats_purchased: 9 }),
        ];
        // Since: person 1 lost the seat, person 2 got one back, the seat count moved on.
        let errors = undo(&applied, &before(&[(1, 2)], 5), &facts(&[(1, 2)], 12, false), &[]).err().unwrap_or_default();
        let named: Vec<_> = errors.iter().map(|e| (e.row, e.path.as_str())).collect();
        assert_eq!(named, [(Some(1), "person_id"), (Some(2), "person_id"), (Some(3), "seats_purchased")]);
        assert!(errors[0].message.starts_with("P1's seat on “Figma” changed after"), "{}", errors[0].message);
    }

    #[test]
    fn a_seat_given_again_by_someone_else_is_not_the_request_s_to_take() {
        let applied = [(1, Operation::Assign { pool_id: 1, person_id: 1 })];
        let given = |id: i64, by: &str, at: i64| SeatBefore {
            id: Some(id),
            pool_id: 1,
            person_id: 1,
            assigned_at: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::seconds(at),
            assigned_by: Some(by.into()),
            reclaim_marked_at: None,
            reclaim_reason: None,
        };
        let mut before = before(&[], 5);
        before.after = vec![given(7, "owner@example.com", 10)];
        let now = facts(&[(1, 1)], 5, false);
        assert!(undo(&applied, &before, &now, &[given(7, "owner@example.com", 10)]).is_ok(), "the same record");
        let again = [given(9, "admin@example.com", 50)];
        let errors = undo(&applied, &before, &now, &again).err().unwrap_or_default();
        assert_eq!(errors.iter().map(|e| (e.row, e.path.as_str())).collect::<Vec<_>>(), [(Some(1), "person_id")]);
        // Handed over and back on the same row is another record too (given at another time, by another person).
        let handed_back = [given(7, "admin@example.com", 60)];
        assert!(undo(&applied, &before, &now, &handed_back).is_err());
    }

    #[test]
    fn chosen_rows_are_checked_and_read_as_people_write_them() {
        assert_eq!(chosen_rows(None, 5), Ok(None));
        assert_eq!(chosen_rows(Some(&[]), 5), Ok(None));
        assert_eq!(chosen_rows(Some(&[4, 2, 4]), 5), Ok(Some(vec![2, 4])));
        assert_eq!(chosen_rows(Some(&[6]), 5), Err("row 6 was not applied: choose rows 1 to 5".into()));
        assert!(chosen_rows(Some(&[0]), 5).is_err());
        assert_eq!(rows_text(&[3]), "row 3");
        assert_eq!(rows_text(&[1, 4, 7]), "rows 1, 4 and 7");
        assert_eq!(rows_text(&[2, 3, 4, 5, 9]), "rows 2–5 and 9");
        assert_eq!(rows_text(&[2, 3]), "rows 2 and 3");
    }
}
