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
    /// Held in both as different licenses (Graph: another of the connector's SKUs).
    pub differs: Vec<DriftEntry>,
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

/// An account with the licenses (SKU ids) the target shows it holding.
#[derive(Debug, Clone)]
pub struct LicensedAccount {
    pub user_name: String,
    pub skus: Vec<String>,
}

/// A pool of the connector and the SKU that is its license in the target.
#[derive(Debug, Clone)]
pub struct PoolSku {
    pub pool_id: i64,
    pub pool_name: String,
    pub sku_id: String,
}

fn entry(account: &str, h: Option<&Holder>, pool: Option<&PoolSku>, detail: String, in_flight: bool) -> DriftEntry {
    DriftEntry {
        account: account.to_string(),
        person_id: h.map(|h| h.person_id),
        person_name: h.map(|h| h.person_name.clone()),
        pool_id: pool.map(|p| p.pool_id),
        pool_name: pool.map(|p| p.pool_name.clone()),
        detail,
        in_flight,
    }
}

fn push_listed(list: &mut Vec<DriftEntry>, total: &mut i64, e: DriftEntry) {
    *total += 1;
    if list.len() < LISTED {
        list.push(e);
    }
}

/// What a license-by-license read covered, for the words of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Licenses {
    /// Microsoft Graph: every user of the tenant, with their SKUs.
    Tenant,
    /// Okta: the members of each pool's group (the "SKU" is the group's id); someone in none is not listed.
    OktaGroups,
}

impl Licenses {
    fn place(self) -> &'static str {
        match self {
            Licenses::Tenant => "the tenant",
            Licenses::OktaGroups => "Okta",
        }
    }

    fn not_listed(self, pool: &PoolSku) -> String {
        match self {
            Licenses::Tenant => "No user in the tenant.".into(),
            Licenses::OktaGroups => format!("Not in {}'s group in Okta.", pool.pool_name),
        }
    }
}

/// Compare license by license (Microsoft Graph, and Okta's groups): a seat of a pool matches when its holder's account holds the
/// pool's SKU; an account holding another of the connector's SKUs instead differs; an account holding a pool's
/// SKU without a seat of that pool (and not listed as differing) is unknown. Holders of pools without a SKU are
/// left out.
pub fn compare_licenses(
    holders: &[Holder],
    accounts: &[LicensedAccount],
    pools: &[PoolSku],
    in_flight: &HashSet<i64>,
    read: Licenses,
) -> Drift {
    let place = read.place();
    let held_skus: HashMap<String, HashSet<String>> = accounts
        .iter()
        .map(|a| (a.user_name.to_lowercase(), a.skus.iter().map(|s| s.to_lowercase()).collect()))
        .collect();
    let pool_of: HashMap<i64, &PoolSku> = pools.iter().map(|p| (p.pool_id, p)).collect();
    let mut drift = Drift::default();
    let mut seated: HashSet<(String, i64)> = HashSet::new();
    let mut differing: HashSet<String> = HashSet::new();
    for h in holders {
        let Some(pool) = pool_of.get(&h.pool_id) else { continue };
        drift.seats += 1;
        let address = h.email.to_lowercase();
        seated.insert((address.clone(), h.pool_id));
        let flight = in_flight.contains(&h.person_id);
        let Some(skus) = held_skus.get(&address) else {
            let e = entry(&h.email, Some(h), Some(pool), read.not_listed(pool), flight);
            push_listed(&mut drift.missing, &mut drift.missing_total, e);
            continue;
        };
        if skus.contains(&pool.sku_id.to_lowercase()) {
            drift.matched += 1;
            continue;
        }
        // One license instead of another is Graph's; Okta's groups are each their own, held side by side.
        let instead = pools.iter().find(|p| p.pool_id != pool.pool_id && skus.contains(&p.sku_id.to_lowercase()));
        match instead.filter(|_| read == Licenses::Tenant) {
            Some(other) => {
                differing.insert(address);
                let detail = format!("Holds {} in {place} instead of {}.", other.pool_name, pool.pool_name);
                if drift.differs.len() < LISTED {
                    drift.differs.push(entry(&h.email, Some(h), Some(pool), detail, flight));
                }
            }
            None => {
                let detail = match read {
                    Licenses::Tenant => format!("The user holds no {} license in the tenant.", pool.pool_name),
                    Licenses::OktaGroups => read.not_listed(pool),
                };
                push_listed(
                    &mut drift.missing,
                    &mut drift.missing_total,
                    entry(&h.email, Some(h), Some(pool), detail, flight),
                );
            }
        }
    }
    let mut licensed = 0;
    let mut sorted: Vec<&LicensedAccount> = accounts.iter().collect();
    sorted.sort_by_key(|a| a.user_name.to_lowercase());
    for a in sorted {
        let address = a.user_name.to_lowercase();
        let skus = &held_skus[&address];
        let mut any = false;
        for pool in pools.iter().filter(|p| skus.contains(&p.sku_id.to_lowercase())) {
            any = true;
            if seated.contains(&(address.clone(), pool.pool_id)) || differing.contains(&address) {
                continue;
            }
            let detail = format!("Holds {} in {place}; Seatwise knows no seat for it.", pool.pool_name);
            push_listed(
                &mut drift.unknown,
                &mut drift.unknown_total,
                entry(&a.user_name, None, Some(pool), detail, false),
            );
        }
        licensed += i64::from(any);
    }
    drift.target_active = licensed;
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

    #[test]
    fn licenses_are_compared_pool_by_pool_and_another_sku_differs() {
        let pools = [
            PoolSku { pool_id: 1, pool_name: "E3".into(), sku_id: "sku-e3".into() },
            PoolSku { pool_id: 2, pool_name: "E5".into(), sku_id: "SKU-E5".into() },
        ];
        let holders = [holder(1, "a@x.io"), holder(2, "b@x.io"), holder(3, "c@x.io")];
        let accounts = [
            LicensedAccount { user_name: "A@x.io".into(), skus: vec!["SKU-E3".into()] },
            LicensedAccount { user_name: "b@x.io".into(), skus: vec!["sku-e5".into()] },
            LicensedAccount { user_name: "z@x.io".into(), skus: vec!["sku-e3".into(), "other".into()] },
        ];
        let d = compare_licenses(&holders, &accounts, &pools, &HashSet::new(), Licenses::Tenant);
        assert_eq!((d.matched, d.seats, d.missing_total, d.unknown_total, d.target_active), (1, 3, 1, 1, 3));
        assert_eq!(d.differs[0].account, "b@x.io");
        assert_eq!(d.differs[0].detail, "Holds E5 in the tenant instead of E3.");
        assert_eq!(d.missing[0].detail, "No user in the tenant.");
        assert_eq!((d.unknown[0].account.as_str(), d.unknown[0].pool_id), ("z@x.io", Some(1)));
    }
}
