//! Pilots: applying a request's first rows, or one department's, before the rest; which rows lead, how the
//! rows are numbered as submitted, and the departments a pilot can be for.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use seatwise_types::{FieldError, OperationInput, PilotGroup, Ref};

/// The people the rows name, whatever their operation.
pub fn people_named(ops: &[OperationInput]) -> BTreeSet<i64> {
    ops.iter().flat_map(|o| [o.person_id, o.from_person_id, o.to_person_id]).flatten().collect()
}

/// A pilot for a group of people: the rows that name someone in the group first, in their order, then the rest
/// in theirs, as the rows' indexes in that new order; and how many lead. Rows of no one (seat counts,
/// retirements) are never part of such a pilot.
pub fn group_first(ops: &[OperationInput], in_group: impl Fn(i64) -> bool) -> (Vec<usize>, usize) {
    let names_one =
        |o: &OperationInput| [o.person_id, o.from_person_id, o.to_person_id].into_iter().flatten().any(&in_group);
    let (mut first, rest): (Vec<usize>, Vec<usize>) = (0..ops.len()).partition(|i| ops.get(*i).is_some_and(names_one));
    let leading = first.len();
    first.extend(rest);
    (first, leading)
}

/// A pilot for a group: the new order of the rows and how many lead, or why there is no such pilot.
pub fn group_pilot(
    ops: &[OperationInput],
    in_group: impl Fn(i64) -> bool,
) -> Result<(Vec<usize>, usize), &'static str> {
    match group_first(ops, in_group) {
        (_, 0) => Err("no row of this request changes a seat of someone in that department"),
        (_, leading) if !is_pilot(leading, ops.len()) => {
            Err("every row of this request is for that department: apply it whole")
        }
        ordered => Ok(ordered),
    }
}

/// A group's rows are a pilot when some rows are theirs and some are not.
fn is_pilot(rows: usize, of: usize) -> bool {
    0 < rows && rows < of
}

/// Rows numbered in a reordered request (`order[i]`: the original index of row i + 1), numbered as they were.
pub fn original_rows(errors: Vec<FieldError>, order: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.row = e.row.map(|r| r.checked_sub(1).and_then(|i| order.get(i as usize)).map_or(r, |o| *o as u64 + 1));
            e
        })
        .collect()
}

/// The departments a pilot by department could be for: each with the rows naming its people, by name. A
/// department every row is for is left out (its pilot would be the whole request).
pub fn pilot_groups(ops: &[OperationInput], department_of: &HashMap<i64, Ref>) -> Vec<PilotGroup> {
    let mut rows: BTreeMap<i64, (Ref, i64)> = BTreeMap::new();
    for o in ops {
        let named: BTreeMap<i64, &Ref> = [o.person_id, o.from_person_id, o.to_person_id]
            .into_iter()
            .flatten()
            .filter_map(|p| department_of.get(&p))
            .map(|d| (d.id, d))
            .collect();
        for (id, department) in named {
            rows.entry(id).or_insert_with(|| (department.clone(), 0)).1 += 1;
        }
    }
    let mut groups: Vec<PilotGroup> = rows
        .into_values()
        .filter(|(_, n)| is_pilot(*n as usize, ops.len()))
        .map(|(department, rows)| PilotGroup { department, rows })
        .collect();
    groups.sort_by(|a, b| a.department.name.cmp(&b.department.name).then(a.department.id.cmp(&b.department.id)));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change_request::tests::input;

    #[test]
    fn a_group_pilot_puts_the_groups_rows_first_and_keeps_both_orders() {
        let ops = vec![
            input("assign", &[("pool_id", 1), ("person_id", 10)]),
            input("set_seats", &[("pool_id", 1), ("seats_purchased", 9)]),
            input("unassign", &[("pool_id", 1), ("person_id", 20)]),
            input("reassign", &[("pool_id", 2), ("from_person_id", 11), ("to_person_id", 21)]),
            input("assign", &[("pool_id", 2), ("person_id", 22)]),
        ];
        let (order, leading) = group_pilot(&ops, |p| p >= 20).unwrap();
        assert_eq!((order.clone(), leading), (vec![2, 3, 4, 0, 1], 3));
        assert_eq!(people_named(&ops).into_iter().collect::<Vec<_>>(), [10, 11, 20, 21, 22]);
        assert!(group_pilot(&ops, |_| false).is_err(), "no one of the group");
        assert!(group_pilot(&ops[..1], |p| p == 10).is_err(), "the whole request");
        // An error on row 1 of the new order is about row 3 as the reader numbered them.
        let errors = original_rows(vec![FieldError { row: Some(1), ..FieldError::new("person_id", "x") }], &order);
        assert_eq!(errors[0].row, Some(3));
    }

    #[test]
    fn pilot_groups_count_a_row_once_per_department_and_leave_out_the_whole_request() {
        let ops = vec![
            input("reassign", &[("pool_id", 1), ("from_person_id", 1), ("to_person_id", 2)]),
            input("assign", &[("pool_id", 1), ("person_id", 3)]),
            input("set_seats", &[("pool_id", 1), ("seats_purchased", 9)]),
        ];
        let sales = Ref { id: 7, name: "Sales".into() };
        let it = Ref { id: 3, name: "IT".into() };
        let of: HashMap<i64, Ref> = [(1, sales.clone()), (2, sales.clone()), (3, it.clone())].into();
        let groups = pilot_groups(&ops, &of);
        assert_eq!(groups, vec![PilotGroup { department: it, rows: 1 }, PilotGroup { department: sales, rows: 1 }]);
        let all_sales: HashMap<i64, Ref> = [(1, Ref { id: 7, name: "Sales".into() })].into();
        assert_eq!(pilot_groups(&ops[..1], &all_sales), vec![], "a pilot of every row is no pilot");
    }
}
