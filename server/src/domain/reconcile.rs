//! Reconciliation: a connector's target against Seatwise's seats. Accounts are matched by address, compared
//! case-insensitively (as SCIM compares `userName`); an inactive account holds no license.

use std::collections::{HashMap, HashSet};

use seatwise_types::DriftEntry;

/// Entries listed per kind of drift; the totals count them all.
pub const LISTED: usize = 1_000;

/// A seat Seatwise knows in one of the connector's pools.
#[derive(Debug, Clone)]
pub struct Holder {
    pub pool_id: i64,
    pub pool_name: String,
    pub person_id: i64,
    pub person_name: String,
    pub email: String,
}

/// An account as the target shows it.
#[derive(Debug, Clone)]
pub struct TargetAccount {
    pub user_name: String,
    pub active: bool,
}

/// What the comparison found (before the directory names the unknown accounts' people).
#[derive(Debug, Default)]
pub struct Drift {
    pub matched: i64,
    pub missing: Vec<DriftEntry>,
    pub missing_total: i64,
    pub unknown: Vec<DriftEntry>,
    pub unknown_total: i64,
    pub seats: i64,
    pub target_active: i64,
}

/// Compare. `in_flight`: people with a seat action still on its way (their drift may be that action).
pub fn compare(holders: &[Holder], accounts: &[TargetAccount], in_flight: &HashSet<i64>) -> Drift {
    let mut drift = Drift { seats: holders.len() as i64, ..Drift::default() };
    let shown: HashMap<String, bool> = accounts.iter().map(|a| (a.user_name.to_lowercase(), a.active)).collect();
    drift.target_active = shown.values().filter(|active| **active).count() as i64;
    let mut held: HashSet<String> = HashSet::new();
    for h in holders {
        let address = h.email.to_lowercase();
        held.insert(address.clone());
        let detail = match shown.get(&address) {
            Some(true) => {
                drift.matched += 1;
                continue;
            }
            Some(false) => "The account is inactive in the target.",
            None => "No account in the target.",
        };
        drift.missing_total += 1;
        if drift.missing.len() < LISTED {
            drift.missing.push(DriftEntry {
                account: h.email.clone(),
                person_id: Some(h.person_id),
                person_name: Some(h.person_name.clone()),
                pool_id: Some(h.pool_id),
                pool_name: Some(h.pool_name.clone()),
                detail: detail.into(),
                in_flight: in_flight.contains(&h.person_id),
            });
        }
    }
    let mut unknown: Vec<&TargetAccount> =
        accounts.iter().filter(|a| a.active && !held.contains(&a.user_name.to_lowercase())).collect();
    unknown.sort_by_key(|a| a.user_name.to_lowercase());
    drift.unknown_total = unknown.len() as i64;
    drift.unknown = unknown
        .into_iter()
        .take(LISTED)
        .map(|a| DriftEntry {
            account: a.user_name.clone(),
            person_id: None,
            person_name: None,
            pool_id: None,
            pool_name: None,
            detail: "Active in the target; Seatwise knows no seat for it.".into(),
            in_flight: false,
        })
        .collect();
    drift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(person_id: i64, email: &str) -> Holder {
        Holder {
            pool_id: 1,
            pool_name: "Slack".into(),
            person_id,
            person_name: format!("P{person_id}"),
            email: email.into(),
        }
    }

    fn account(user_name: &str, active: bool) -> TargetAccount {
        TargetAccount { user_name: user_name.into(), active }
    }

    #[test]
    fn matched_missing_and_unknown_are_told_apart() {
        let holders = [holder(1, "a@x.io"), holder(2, "b@x.io"), holder(3, "c@x.io")];
        let accounts =
            [account("A@X.io", true), account("b@x.io", false), account("z@x.io", true), account("y@x.io", false)];
        let d = compare(&holders, &accounts, &HashSet::from([2]));
        assert_eq!((d.matched, d.missing_total, d.unknown_total, d.seats, d.target_active), (1, 2, 1, 3, 2));
        assert_eq!(d.missing[0].detail, "The account is inactive in the target.");
        assert!(d.missing[0].in_flight && !d.missing[1].in_flight);
        assert_eq!(d.missing[1].detail, "No account in the target.");
        assert_eq!(d.unknown[0].account, "z@x.io");
    }

    #[test]
    fn long_lists_are_cut_and_counted() {
        let accounts: Vec<TargetAccount> = (0..LISTED + 5).map(|i| account(&format!("u{i}@x.io"), true)).collect();
        let d = compare(&[], &accounts, &HashSet::new());
        assert_eq!((d.unknown.len(), d.unknown_total), (LISTED, (LISTED + 5) as i64));
    }
}
