//! The rules of a change request's operations: reading each row, checking it against what is stored, and the
//! effect of the whole batch (per pool, in cost, and who loses a seat). Pure: the service loads the facts.
//!
//! Each seat (pool and person) may be changed by one row only, and a retired pool by no other row, so the rows'
//! writes do not depend on their order. Capacity is the batch's as a whole: a part of it (a pilot) is checked
//! again on its own.

pub mod lifecycle;
mod operation;
mod pilot;

use operation::row_error;
pub use operation::{parse, Operation, OPS};
pub use pilot::{group_first, group_pilot, original_rows, people_named, pilot_groups};

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use seatwise_types::{money_totals, BillingPeriod, ChangePreview, FieldError, Money, PoolEffect};

use crate::domain::pool::{self, per_month, MAX_SEATS};

/// A pool as the rules need it, with whether the requester may change it (the access policy's answer).
#[derive(Debug, Clone, PartialEq)]
pub struct PoolFacts {
    pub id: i64,
    pub name: String,
    /// `None`: a site licence, no seat count.
    pub seats_purchased: Option<i64>,
    pub seats_assigned: i64,
    pub allow_overage: bool,
    pub retired: bool,
    pub may_edit: bool,
    /// The requester may ask for a seat of it for themselves (an employee's request from My seats), though
    /// they may not change it otherwise.
    pub may_ask: bool,
    pub unit_cost_minor: i64,
    pub billing_period: BillingPeriod,
    pub currency: String,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
    pub annual_cost_minor: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonFacts {
    pub id: i64,
    pub name: String,
    pub terminated: bool,
}

/// What is stored about everything a request names: its pools (only those the requester may read: any other
/// does not exist for them) and people, which of the seats it names are held (pool id, person id), and who holds
/// the seats of the pools it retires.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub pools: HashMap<i64, PoolFacts>,
    pub people: HashMap<i64, PersonFacts>,
    pub seats: HashSet<(i64, i64)>,
    pub holders: HashMap<i64, Vec<i64>>,
    /// A rollback puts pools' annual costs back as they were (by pool id) instead of working them out again.
    pub restored_costs: HashMap<i64, i64>,
    /// The person the requester's login is, if any: the one whose own seat they may ask for.
    pub requester_person: Option<i64>,
}

/// A request's problems (each naming its row and field, or none for the request as a whole) and its effect as
/// far as its rows without problems go.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub errors: Vec<FieldError>,
    pub preview: ChangePreview,
}

/// What the rows before do to one pool.
#[derive(Default)]
struct PoolChange {
    /// Rows that give one of its seats, in order.
    adds: Vec<u64>,
    removes: i64,
    set_seats: Option<(u64, i64)>,
    retired_by: Option<u64>,
    restored_by: Option<u64>,
    /// The first row that changes it.
    first_row: Option<u64>,
}

struct Check<'a> {
    facts: &'a Facts,
    errors: Vec<FieldError>,
    pools: BTreeMap<i64, PoolChange>,
    seats: HashMap<(i64, i64), (u64, Operation)>,
    losing: HashSet<i64>,
    /// People who get a seat somewhere in the request (they do not count as losing one).
    receiving: HashSet<i64>,
    moved: HashSet<i64>,
    seats_assigned: i64,
    seats_freed: i64,
    /// Retired pools a row of this request brings back: the other rows may change them.
    restoring: HashSet<i64>,
}

impl<'a> Check<'a> {
    /// The pool a row names, which the requester may change.
    fn editable(&self, row: u64, path: &str, id: i64) -> Result<&'a PoolFacts, FieldError> {
        let pool = self.facts.pools.get(&id).ok_or_else(|| row_error(row, path, format!("no pool has id {id}")))?;
        if !pool.may_edit {
            return Err(row_error(
                row,
                path,
                format!("you may not change “{}”: it is not one of your departments' pools", pool.name),
            ));
        }
        Ok(pool)
    }

    fn pool(&self, row: u64, path: &str, id: i64) -> Result<&'a PoolFacts, FieldError> {
        let pool = self.editable(row, path, id)?;
        self.usable(row, path, pool)
    }

    /// A pool that takes a change now: not retired, nor retired by an earlier row.
    fn usable(&self, row: u64, path: &str, pool: &'a PoolFacts) -> Result<&'a PoolFacts, FieldError> {
        let id = pool.id;
        if pool.retired && !self.restoring.contains(&id) {
            return Err(row_error(row, path, format!("“{}” is retired", pool.name)));
        }
        if let Some(by) = self.pools.get(&id).and_then(|c| c.retired_by) {
            return Err(row_error(
                row,
                path,
                format!("“{}” is retired by row {by}: a retired pool takes no other change", pool.name),
            ));
        }
        Ok(pool)
    }

    fn person(&self, row: u64, path: &str, id: i64) -> Result<&'a PersonFacts, FieldError> {
        self.facts.people.get(&id).ok_or_else(|| row_error(row, path, format!("no person has id {id}")))
    }

    fn receiver(&self, row: u64, path: &str, id: i64) -> Result<&'a PersonFacts, FieldError> {
        let person = self.person(row, path, id)?;
        if person.terminated {
            return Err(row_error(row, path, format!("{} has left (terminated) and cannot get a seat", person.name)));
        }
        Ok(person)
    }

    /// The seat is changed by this row only.
    fn seat(
        &self,
        row: u64,
        op: Operation,
        path: &str,
        pool: &PoolFacts,
        person: &PersonFacts,
    ) -> Result<(), FieldError> {
        match self.seats.get(&(pool.id, person.id)) {
            Some((earlier, same)) if *same == op => Err(row_error(row, path, format!("repeats row {earlier}"))),
            Some((earlier, _)) => Err(row_error(
                row,
                path,
                format!("conflicts with row {earlier}, which also changes {}'s seat on “{}”", person.name, pool.name),
            )),
            None => Ok(()),
        }
    }

    fn holds(&self, row: u64, path: &str, pool: &PoolFacts, person: &PersonFacts) -> Result<(), FieldError> {
        if self.facts.seats.contains(&(pool.id, person.id)) {
            Ok(())
        } else {
            Err(row_error(row, path, format!("{} holds no seat on “{}”", person.name, pool.name)))
        }
    }

    fn holds_none(&self, row: u64, path: &str, pool: &PoolFacts, person: &PersonFacts) -> Result<(), FieldError> {
        if self.facts.seats.contains(&(pool.id, person.id)) {
            Err(row_error(row, path, format!("{} already holds a seat on “{}”", person.name, pool.name)))
        } else {
            Ok(())
        }
    }

    /// Check one row; on success record what it does.
    fn row(&mut self, row: u64, op: Operation) -> Result<(), FieldError> {
        match op {
            Operation::Assign { pool_id, person_id } => {
                let pool = match self.facts.pools.get(&pool_id) {
                    // One's own seat, asked for (and applied) with no right over the pool otherwise.
                    Some(p) if !p.may_edit && p.may_ask && self.facts.requester_person == Some(person_id) => {
                        self.usable(row, "pool_id", p)?
                    }
                    _ => self.pool(row, "pool_id", pool_id)?,
                };
                let person = self.receiver(row, "person_id", person_id)?;
                self.seat(row, op, "person_id", pool, person)?;
                self.holds_none(row, "person_id", pool, person)?;
                self.seats.insert((pool_id, person_id), (row, op));
                self.change(pool_id, row).adds.push(row);
                self.receiving.insert(person_id);
                self.seats_assigned += 1;
            }
            Operation::Unassign { pool_id, person_id } => {
                let pool = self.pool(row, "pool_id", pool_id)?;
                let person = self.person(row, "person_id", person_id)?;
                self.seat(row, op, "person_id", pool, person)?;
                self.holds(row, "person_id", pool, person)?;
                self.seats.insert((pool_id, person_id), (row, op));
                self.change(pool_id, row).removes += 1;
                self.losing.insert(person_id);
                self.seats_freed += 1;
            }
            Operation::Reassign { pool_id, from_person_id, to_person_id } => {
                let pool = self.pool(row, "pool_id", pool_id)?;
                let from = self.person(row, "from_person_id", from_person_id)?;
                let to = self.receiver(row, "to_person_id", to_person_id)?;
                if from.id == to.id {
                    return Err(row_error(row, "to_person_id", "must be someone other than from_person_id"));
                }
                self.seat(row, op, "from_person_id", pool, from)?;
                self.seat(row, op, "to_person_id", pool, to)?;
                self.holds(row, "from_person_id", pool, from)?;
                self.holds_none(row, "to_person_id", pool, to)?;
                self.seats.insert((pool_id, from_person_id), (row, op));
                self.seats.insert((pool_id, to_person_id), (row, op));
                self.change(pool_id, row);
                self.losing.insert(from_person_id);
                self.receiving.insert(to_person_id);
            }
            Operation::Move { from_pool_id, to_pool_id, person_id } => {
                if from_pool_id == to_pool_id {
                    return Err(row_error(row, "to_pool_id", "must be another pool than from_pool_id"));
                }
                let from = self.pool(row, "from_pool_id", from_pool_id)?;
                let to = self.pool(row, "to_pool_id", to_pool_id)?;
                let person = self.receiver(row, "person_id", person_id)?;
                self.seat(row, op, "person_id", from, person)?;
                self.seat(row, op, "person_id", to, person)?;
                self.holds(row, "person_id", from, person)?;
                self.holds_none(row, "person_id", to, person)?;
                self.seats.insert((from_pool_id, person_id), (row, op));
                self.seats.insert((to_pool_id, person_id), (row, op));
                self.change(from_pool_id, row).removes += 1;
                self.change(to_pool_id, row).adds.push(row);
                self.moved.insert(person_id);
            }
            Operation::SetSeats { pool_id, seats_purchased } => {
                let pool = self.pool(row, "pool_id", pool_id)?;
                if pool.seats_purchased.is_none() {
                    return Err(row_error(
                        row,
                        "pool_id",
                        format!("“{}” is a site licence: it has no seat count", pool.name),
                    ));
                }
                if !(0..=MAX_SEATS).contains(&seats_purchased) {
                    return Err(row_error(row, "seats_purchased", format!("must be from 0 to {MAX_SEATS}")));
                }
                if let Some((earlier, _)) = self.pools.get(&pool_id).and_then(|c| c.set_seats) {
                    return Err(row_error(
                        row,
                        "pool_id",
                        format!("conflicts with row {earlier}, which also sets the seats of “{}”", pool.name),
                    ));
                }
                self.change(pool_id, row).set_seats = Some((row, seats_purchased));
            }
            Operation::RetirePool { pool_id } => {
                let pool = self.pool(row, "pool_id", pool_id)?;
                if let Some(earlier) = self.pools.get(&pool_id).and_then(|c| c.first_row) {
                    return Err(row_error(
                        row,
                        "pool_id",
                        format!(
                            "conflicts with row {earlier}, which changes “{}”: a retired pool takes no other change",
                            pool.name
                        ),
                    ));
                }
                self.change(pool_id, row).retired_by = Some(row);
                self.seats_freed += pool.seats_assigned;
                self.losing.extend(self.facts.holders.get(&pool_id).into_iter().flatten());
            }
            Operation::RestorePool { pool_id } => {
                let pool = self.editable(row, "pool_id", pool_id)?;
                if !pool.retired {
                    return Err(row_error(row, "pool_id", format!("“{}” is not retired", pool.name)));
                }
                if let Some(earlier) = self.pools.get(&pool_id).and_then(|c| c.restored_by) {
                    return Err(row_error(row, "pool_id", format!("repeats row {earlier}")));
                }
                self.change(pool_id, row).restored_by = Some(row);
            }
        }
        Ok(())
    }

    fn change(&mut self, pool_id: i64, row: u64) -> &mut PoolChange {
        let change = self.pools.entry(pool_id).or_default();
        change.first_row.get_or_insert(row);
        change
    }
}

/// Check every row against the facts and work out the batch's effect. `max_operations` is the policy's largest
/// batch (`None`: no limit).
pub fn check(ops: &[(u64, Operation)], facts: &Facts, max_operations: Option<usize>) -> Checked {
    let mut c = Check {
        facts,
        errors: Vec::new(),
        pools: BTreeMap::new(),
        seats: HashMap::new(),
        losing: HashSet::new(),
        receiving: HashSet::new(),
        moved: HashSet::new(),
        seats_assigned: 0,
        seats_freed: 0,
        restoring: ops
            .iter()
            .filter_map(|(_, op)| match op {
                Operation::RestorePool { pool_id } => Some(*pool_id),
                _ => None,
            })
            .collect(),
    };
    if let Some(max) = max_operations.filter(|max| ops.len() > *max) {
        c.errors.push(FieldError::new(
            "operations",
            format!(
                "a request may hold at most {max} operations (the approval policy's limit); this one has {}",
                ops.len()
            ),
        ));
    }
    for &(row, op) in ops {
        if let Err(e) = c.row(row, op) {
            c.errors.push(e);
        }
    }
    let mut pools = Vec::new();
    let mut annual = Vec::new();
    let mut seats_changed = c.seats_assigned + c.seats_freed;
    for (pool_id, change) in &c.pools {
        let Some(pool) = facts.pools.get(pool_id) else { continue };
        let retired = change.retired_by.is_some() || (pool.retired && change.restored_by.is_none());
        let purchased = change.set_seats.map(|(_, n)| Some(n)).unwrap_or(pool.seats_purchased);
        let assigned = if retired { 0 } else { pool.seats_assigned + change.adds.len() as i64 - change.removes };
        if let (Some(cap), false) = (purchased, pool.allow_overage || retired) {
            if assigned > cap {
                match change.set_seats {
                    Some((row, n)) => c.errors.push(row_error(
                        row,
                        "seats_purchased",
                        format!(
                            "{n} seats would be fewer than the {assigned} assigned on “{}” after this request",
                            pool.name
                        ),
                    )),
                    None => {
                        // The seats free before this request's additions go to its first rows that add one.
                        let free = (cap - (pool.seats_assigned - change.removes)).max(0) as usize;
                        for row in change.adds.iter().skip(free) {
                            c.errors.push(row_error(
                                *row,
                                "pool_id",
                                format!("“{}” has no free seat: {cap} purchased and all taken by then", pool.name),
                            ));
                        }
                    }
                }
            }
        }
        if let (Some(after), Some(before)) = (purchased, pool.seats_purchased) {
            seats_changed = seats_changed.saturating_add(after.abs_diff(before).min(i64::MAX as u64) as i64);
        }
        let after_minor = if retired {
            0
        } else if let Some(cost) = facts.restored_costs.get(pool_id) {
            *cost
        } else if change.set_seats.is_some() || change.restored_by.is_some() {
            match pool::annual_cost_minor(
                pool.unit_cost_minor,
                pool.billing_period,
                purchased,
                pool.contract_start,
                pool.contract_end,
            ) {
                Some(minor) => minor,
                None => {
                    let row = change.set_seats.map(|(row, _)| row).or(change.restored_by).unwrap_or(0);
                    c.errors.push(row_error(row, "seats_purchased", "makes the pool's cost too large to hold"));
                    pool.annual_cost_minor
                }
            }
        } else {
            pool.annual_cost_minor
        };
        let delta = after_minor.saturating_sub(pool.annual_cost_minor);
        if delta != 0 {
            annual.push(Money::new(delta, pool.currency.clone()));
        }
        pools.push(PoolEffect {
            pool_id: pool.id,
            pool_name: pool.name.clone(),
            seats_purchased_before: pool.seats_purchased,
            seats_purchased_after: purchased,
            seats_assigned_before: pool.seats_assigned,
            seats_assigned_after: assigned,
            utilization_before: utilization(pool.seats_assigned, pool.seats_purchased),
            utilization_after: utilization(assigned, purchased),
            annual_cost_before: Money::new(pool.annual_cost_minor, pool.currency.clone()),
            annual_cost_after: Money::new(after_minor, pool.currency.clone()),
            retired,
        });
    }
    c.errors.sort_by_key(|e| (e.row, e.path.clone()));
    let annual_cost_change = money_totals(annual.iter());
    let monthly_cost_change =
        annual_cost_change.iter().map(|m| Money::new(per_month(m.amount_minor), m.currency.clone())).collect();
    Checked {
        preview: ChangePreview {
            pools,
            monthly_cost_change,
            annual_cost_change,
            people_losing_seats: c.losing.difference(&c.receiving).count() as i64,
            people_moved: c.moved.len() as i64,
            seats_assigned: c.seats_assigned,
            seats_freed: c.seats_freed,
            seats_changed,
        },
        errors: c.errors,
    }
}

fn utilization(assigned: i64, purchased: Option<i64>) -> Option<i64> {
    purchased.filter(|p| *p > 0).map(|p| assigned.saturating_mul(100) / p)
}

#[cfg(test)]
mod tests {
    use seatwise_types::OperationInput;

    use super::*;

    pub(super) fn input(op: &str, fields: &[(&str, i64)]) -> OperationInput {
        let mut i = OperationInput { op: Some(op.into()), ..Default::default() };
        for (name, v) in fields {
            let v = Some(*v);
            match *name {
                "pool_id" => i.pool_id = v,
                "person_id" => i.person_id = v,
                "from_person_id" => i.from_person_id = v,
                "to_person_id" => i.to_person_id = v,
                "from_pool_id" => i.from_pool_id = v,
                "to_pool_id" => i.to_pool_id = v,
                _ => i.seats_purchased = v,
            }
        }
        i
    }

    fn pool(id: i64, purchased: i64, assigned: i64) -> PoolFacts {
        PoolFacts {
            id,
            name: format!("Pool {id}"),
            seats_purchased: Some(purchased),
            seats_assigned: assigned,
            allow_overage: false,
            retired: false,
            may_edit: true,
            may_ask: false,
            unit_cost_minor: 1_000,
            billing_period: BillingPeriod::Monthly,
            currency: "USD".into(),
            contract_start: None,
            contract_end: None,
            annual_cost_minor: 1_000 * 12 * purchased,
        }
    }

    fn facts() -> Facts {
        let mut f = Facts::default();
        for p in [pool(1, 3, 2), pool(2, 10, 1), pool(3, 5, 0)] {
            f.pools.insert(p.id, p);
        }
        for (id, terminated) in [(10, false), (11, false), (12, false), (13, true), (14, false)] {
            f.people.insert(id, PersonFacts { id, name: format!("Person {id}"), terminated });
        }
        // 10 and 11 hold seats on pool 1, 12 on pool 2; 13 has left.
        f.seats.extend([(1, 10), (1, 11), (2, 12)]);
        f.holders.insert(1, vec![10, 11]);
        f
    }

    fn checked(rows: &[OperationInput]) -> Checked {
        let (ops, mut errors) = parse(rows);
        let mut c = check(&ops, &facts(), Some(100));
        errors.append(&mut c.errors);
        c.errors = errors;
        c
    }

    fn messages(c: &Checked) -> Vec<(Option<u64>, String, String)> {
        c.errors.iter().map(|e| (e.row, e.path.clone(), e.message.clone())).collect()
    }

    #[test]
    fn rows_missing_fields_or_with_unknown_ops_name_their_row_and_field() {
        let c = checked(&[
            input("assign", &[("pool_id", 1)]),
            input("delete_everything", &[]),
            OperationInput::default(),
            input("set_seats", &[("pool_id", 2), ("seats_purchased", 12)]),
        ]);
        let m = messages(&c);
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!((m[0].0, m[0].1.as_str()), (Some(1), "person_id"));
        assert_eq!((m[1].0, m[1].1.as_str()), (Some(2), "op"));
        assert!(m[1].2.contains("\"delete_everything\" is not an operation"));
        assert_eq!((m[2].0, m[2].1.as_str()), (Some(3), "op"));
    }

    #[test]
    fn unknown_terminated_duplicate_and_conflicting_rows_are_errors() {
        let c = checked(&[
            input("assign", &[("pool_id", 3), ("person_id", 14)]),
            input("assign", &[("pool_id", 3), ("person_id", 14)]),
            input("unassign", &[("pool_id", 3), ("person_id", 14)]),
            input("assign", &[("pool_id", 99), ("person_id", 14)]),
            input("assign", &[("pool_id", 3), ("person_id", 98)]),
            input("assign", &[("pool_id", 3), ("person_id", 13)]),
            input("unassign", &[("pool_id", 2), ("person_id", 10)]),
            input("assign", &[("pool_id", 1), ("person_id", 10)]),
        ]);
        let m = messages(&c);
        let at = |row: u64| m.iter().find(|e| e.0 == Some(row)).map(|e| (e.1.clone(), e.2.clone()));
        assert_eq!(at(1), None);
        assert_eq!(at(2).unwrap().1, "repeats row 1");
        assert!(at(3).unwrap().1.starts_with("conflicts with row 1"), "{m:?}");
        assert_eq!(at(4).unwrap(), ("pool_id".into(), "no pool has id 99".into()));
        assert_eq!(at(5).unwrap(), ("person_id".into(), "no person has id 98".into()));
        assert!(at(6).unwrap().1.contains("has left"));
        assert!(at(7).unwrap().1.contains("holds no seat"));
        assert!(at(8).unwrap().1.contains("already holds a seat"));
        assert_eq!(m.len(), 7);
    }

    #[test]
    fn capacity_is_checked_after_the_whole_batch_and_blames_the_rows_past_it() {
        // Pool 1: 3 purchased, 2 assigned. One unassign frees a seat, so two assigns fit and the third does not.
        let c = checked(&[
            input("assign", &[("pool_id", 1), ("person_id", 12)]),
            input("unassign", &[("pool_id", 1), ("person_id", 10)]),
            input("assign", &[("pool_id", 1), ("person_id", 14)]),
            input("reassign", &[("pool_id", 2), ("from_person_id", 12), ("to_person_id", 11)]),
        ]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let c = checked(&[
            input("assign", &[("pool_id", 1), ("person_id", 12)]),
            input("assign", &[("pool_id", 1), ("person_id", 14)]),
        ]);
        let m = messages(&c);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].0, Some(2));
        assert!(m[0].2.contains("no free seat"));
        // Fewer seats than would be assigned is the set_seats row's error.
        let c = checked(&[input("set_seats", &[("pool_id", 1), ("seats_purchased", 1)])]);
        assert!(messages(&c)[0].2.contains("fewer than the 2 assigned"), "{:?}", c.errors);
    }

    #[test]
    fn the_preview_gives_seats_cost_and_who_loses_a_seat() {
        let c = checked(&[
            input("set_seats", &[("pool_id", 2), ("seats_purchased", 4)]),
            input("move", &[("from_pool_id", 1), ("to_pool_id", 3), ("person_id", 10)]),
            input("unassign", &[("pool_id", 1), ("person_id", 11)]),
        ]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let p = &c.preview;
        assert_eq!(p.pools.len(), 3);
        let one = &p.pools[0];
        assert_eq!((one.seats_assigned_before, one.seats_assigned_after), (2, 0));
        assert_eq!((one.utilization_before, one.utilization_after), (Some(66), Some(0)));
        let two = &p.pools[1];
        assert_eq!((two.seats_purchased_before, two.seats_purchased_after), (Some(10), Some(4)));
        // Six seats fewer at 10.00 a month: 720.00 a year, 60.00 a month less.
        assert_eq!(p.annual_cost_change, vec![Money::new(-72_000, "USD")]);
        assert_eq!(p.monthly_cost_change, vec![Money::new(-6_000, "USD")]);
        assert_eq!((p.people_losing_seats, p.people_moved, p.seats_freed), (1, 1, 1));
        // Someone unassigned here and given a seat elsewhere in the same request loses none.
        let c = checked(&[
            input("unassign", &[("pool_id", 1), ("person_id", 10)]),
            input("assign", &[("pool_id", 3), ("person_id", 10)]),
        ]);
        assert_eq!(c.preview.people_losing_seats, 0);
    }

    #[test]
    fn the_month_is_worked_out_from_each_currencys_annual_total() {
        // Twelve pools each a sixth of a cent a month dearer: 72 a year is 6 a month, not twelve roundings up.
        let mut f = Facts::default();
        let mut rows = Vec::new();
        for id in 1..=12 {
            let mut p = pool(id, 1, 0);
            (p.unit_cost_minor, p.billing_period, p.annual_cost_minor) = (6, BillingPeriod::Annual, 6);
            f.pools.insert(id, p);
            rows.push(input("set_seats", &[("pool_id", id), ("seats_purchased", 2)]));
        }
        let (ops, _) = parse(&rows);
        let c = check(&ops, &f, None);
        assert_eq!(c.preview.annual_cost_change, vec![Money::new(72, "USD")]);
        assert_eq!(c.preview.monthly_cost_change, vec![Money::new(6, "USD")]);
    }

    #[test]
    fn a_retired_pool_takes_no_other_change_and_frees_its_seats() {
        let c = checked(&[
            input("retire_pool", &[("pool_id", 1)]),
            input("unassign", &[("pool_id", 1), ("person_id", 10)]),
        ]);
        let m = messages(&c);
        assert_eq!(m.len(), 1);
        assert!(m[0].2.contains("retired by row 1"));
        assert_eq!(c.preview.people_losing_seats, 2);
        assert_eq!(c.preview.annual_cost_change, vec![Money::new(-36_000, "USD")]);
        let c = checked(&[
            input("unassign", &[("pool_id", 1), ("person_id", 10)]),
            input("retire_pool", &[("pool_id", 1)]),
        ]);
        assert!(messages(&c)[0].2.starts_with("conflicts with row 1"));
    }

    #[test]
    fn someone_who_may_only_ask_for_a_pool_gets_their_own_seat_and_nothing_else() {
        let mut f = facts();
        f.requester_person = Some(14);
        if let Some(p) = f.pools.get_mut(&3) {
            (p.may_edit, p.may_ask) = (false, true);
        }
        let run = |rows: &[OperationInput]| {
            let (ops, _) = parse(rows);
            check(&ops, &f, Some(100))
        };
        let mine = run(&[input("assign", &[("pool_id", 3), ("person_id", 14)])]);
        assert!(mine.errors.is_empty(), "{:?}", mine.errors);
        assert_eq!(mine.preview.seats_assigned, 1);
        for rows in [
            vec![input("assign", &[("pool_id", 3), ("person_id", 12)])],
            vec![input("set_seats", &[("pool_id", 3), ("seats_purchased", 9)])],
            vec![input("retire_pool", &[("pool_id", 3)])],
        ] {
            let c = run(&rows);
            assert!(c.errors[0].message.contains("not one of your departments"), "{:?}", c.errors);
        }
        if let Some(p) = f.pools.get_mut(&3) {
            p.retired = true;
        }
        let (ops, _) = parse(&[input("assign", &[("pool_id", 3), ("person_id", 14)])]);
        assert!(check(&ops, &f, Some(100)).errors[0].message.contains("retired"));
    }

    #[test]
    fn pools_outside_the_requesters_departments_and_oversized_batches_are_refused() {
        let mut f = facts();
        if let Some(p) = f.pools.get_mut(&2) {
            p.may_edit = false;
        }
        let (ops, _) = parse(&[input("set_seats", &[("pool_id", 2), ("seats_purchased", 11)])]);
        let c = check(&ops, &f, Some(100));
        assert!(c.errors[0].message.contains("not one of your departments"));
        let c = check(&ops, &facts(), Some(0));
        assert_eq!((c.errors[0].row, c.errors[0].path.as_str()), (None, "operations"));
        assert!(parse(&[]).1[0].message.contains("at least one"));
    }

    #[test]
    fn a_month_is_a_twelfth_rounded_half_away_from_zero() {
        assert_eq!(per_month(1_200), 100);
        assert_eq!(per_month(6), 1);
        assert_eq!(per_month(5), 0);
        assert_eq!(per_month(-6), -1);
        assert_eq!(per_month(-18), -2);
    }
}
