//! A "renew with changes" decision that changes seats: which covered pools get which seat count next term. The
//! change itself goes through the approval queue as a change request; this says what that request holds.

use seatwise_types::{DecisionInput, FieldError, PoolSeats};

use crate::domain::pool::MAX_SEATS;

/// A pool the contract covers: its id and seats purchased now (`None`: a site licence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    pub pool_id: i64,
    pub seats_purchased: Option<i64>,
}

/// What the next term's seats come to: the pools whose count changes, and the term's total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeatChanges {
    /// (pool id, seats for the next term), only pools whose count changes, by pool id.
    pub pools: Vec<(i64, i64)>,
    /// The term's seats: the total given, or else the sum over the covered pools after the change.
    pub term_seats: Option<i64>,
}

/// Whether a decision names a change besides pools' seat counts: a total of seats, a tier or a price.
pub fn names_other_change(input: &DecisionInput) -> bool {
    input.seats.is_some() || input.price.is_some() || input.tier.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// Seats per covered pool (`pool_seats`), or one total (`seats`) when the contract covers a single pool. A total
/// for several pools says nothing about how it splits: it is recorded on the term and no pool changes.
pub fn seat_changes(
    covered: &[Covered],
    seats: Option<i64>,
    pool_seats: &[PoolSeats],
) -> Result<SeatChanges, Vec<FieldError>> {
    if pool_seats.len() > covered.len() {
        let message = format!("names more pools than the {} this contract covers", covered.len());
        return Err(vec![FieldError::new("pool_seats", message)]);
    }
    let mut errors = Vec::new();
    let mut wanted: Vec<(i64, i64)> = Vec::new();
    for (i, p) in pool_seats.iter().enumerate() {
        let path = |field: &str| format!("pool_seats[{i}].{field}");
        match covered.iter().find(|c| c.pool_id == p.pool_id) {
            None => errors.push(FieldError::new(path("pool_id"), "is not a pool this contract covers")),
            Some(c) if c.seats_purchased.is_none() => {
                errors.push(FieldError::new(path("pool_id"), "is a site licence: it has no seat count to change"))
            }
            Some(_) if wanted.iter().any(|(id, _)| *id == p.pool_id) => {
                errors.push(FieldError::new(path("pool_id"), "is named twice"))
            }
            Some(_) => {}
        }
        if !(0..=MAX_SEATS).contains(&p.seats_purchased) {
            errors.push(FieldError::new(path("seats_purchased"), "must be 0 to 10,000,000"));
        }
        wanted.push((p.pool_id, p.seats_purchased));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // One total for a contract of one pool with a seat count: that pool's.
    if let (true, Some(total), [only]) = (wanted.is_empty(), seats, covered) {
        if only.seats_purchased.is_some() {
            wanted.push((only.pool_id, total));
        }
    }
    let mut pools: Vec<(i64, i64)> = wanted
        .iter()
        .copied()
        .filter(|(id, n)| covered.iter().any(|c| c.pool_id == *id && c.seats_purchased != Some(*n)))
        .collect();
    pools.sort_unstable();
    // The term's count: the total given, or what the pools with a seat count come to once changed.
    let term_seats = seats.or_else(|| {
        (!pools.is_empty()).then(|| {
            covered
                .iter()
                .filter_map(|c| pools.iter().find(|(id, _)| *id == c.pool_id).map(|(_, n)| *n).or(c.seats_purchased))
                .sum()
        })
    });
    Ok(SeatChanges { pools, term_seats })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(list: &[(i64, Option<i64>)]) -> Vec<Covered> {
        list.iter().map(|&(pool_id, seats_purchased)| Covered { pool_id, seats_purchased }).collect()
    }

    fn ps(pool_id: i64, seats_purchased: i64) -> PoolSeats {
        PoolSeats { pool_id, seats_purchased }
    }

    #[test]
    fn one_covered_pool_takes_the_total() {
        let c = covered(&[(7, Some(100))]);
        assert_eq!(
            seat_changes(&c, Some(80), &[]).unwrap(),
            SeatChanges { pools: vec![(7, 80)], term_seats: Some(80) }
        );
        // The same count changes nothing.
        assert_eq!(seat_changes(&c, Some(100), &[]).unwrap().pools, vec![]);
    }

    #[test]
    fn several_pools_need_a_count_each() {
        let c = covered(&[(1, Some(50)), (2, Some(30)), (3, None)]);
        let total_only = seat_changes(&c, Some(70), &[]).unwrap();
        assert_eq!(total_only, SeatChanges { pools: vec![], term_seats: Some(70) });
        let each = seat_changes(&c, None, &[ps(2, 10), ps(1, 50)]).unwrap();
        assert_eq!(each, SeatChanges { pools: vec![(2, 10)], term_seats: Some(60) });
        // Today's counts change nothing, not even the term's.
        assert_eq!(seat_changes(&c, None, &[ps(1, 50), ps(2, 30)]).unwrap(), SeatChanges::default());
    }

    #[test]
    fn a_site_licence_has_no_seat_count_to_change() {
        let c = covered(&[(4, None)]);
        assert_eq!(seat_changes(&c, Some(80), &[]).unwrap(), SeatChanges { pools: vec![], term_seats: Some(80) });
        assert_eq!(seat_changes(&c, None, &[ps(4, 3)]).unwrap_err()[0].path, "pool_seats[0].pool_id");
        assert_eq!(seat_changes(&c, None, &[ps(4, 3), ps(4, 3)]).unwrap_err()[0].path, "pool_seats");
    }

    #[test]
    fn pools_outside_the_contract_repeats_and_bad_counts_are_refused() {
        let c = covered(&[(1, Some(5)), (2, Some(1)), (3, Some(1))]);
        let errors = seat_changes(&c, None, &[ps(9, 3), ps(1, 4), ps(1, -1)]).unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["pool_seats[0].pool_id", "pool_seats[2].pool_id", "pool_seats[2].seats_purchased"]);
    }
}
