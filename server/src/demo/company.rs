//! The demo company as data: `company.toml`, read strictly and resolved into indices, so the seeder only writes.
//! An unknown key, a bad value or a name that points nowhere is an error naming its entry.

use std::collections::HashSet;

use chrono::{Days, Months, NaiveDate};
use seatwise_types::{BillingPeriod, FieldError, LicenseType, Money, OrgSettings, PersonStatus, Role};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::domain::renewals;

const FILE: &str = include_str!("company.toml");
/// `assigned_from` value for pools whose seats go to the whole company.
const EVERYONE: &str = "everyone";

#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error("demo company file: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("demo company file: {entry}: {message}")]
    Entry { entry: String, message: String },
}

pub(super) fn invalid(entry: &str, message: impl Into<String>) -> Invalid {
    Invalid::Entry { entry: entry.to_string(), message: message.into() }
}

/// Field errors from a domain check, as one message.
pub(super) fn fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{} {}", e.path, e.message)).collect::<Vec<_>>().join("; ")
}

pub struct Company {
    pub org: OrgSettings,
    pub cost_centres: Vec<CostCentre>,
    pub departments: Vec<Department>,
    /// Everyone, in file order (department by department).
    pub people: Vec<Person>,
    pub pools: Vec<Pool>,
    pub contracts: Vec<Contract>,
    pub users: Vec<User>,
    pub exchange_rates: Vec<ExchangeRate>,
    pub budgets: Vec<Budget>,
}

/// A rate of the demo's table: units of the reporting currency per unit, from `ago` before the seeding day.
pub struct ExchangeRate {
    pub currency: String,
    pub rate: String,
    pub ago: Offset,
}

/// A cost centre's budget for the seeding year, in minor units of the reporting currency.
pub struct Budget {
    /// Index into `cost_centres`.
    pub cost_centre: usize,
    pub amount_minor: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostCentre {
    pub code: String,
    pub name: String,
}

pub struct Department {
    pub name: String,
    /// Index into `cost_centres`.
    pub cost_centre: usize,
}

pub struct Person {
    pub name: String,
    pub email: String,
    pub status: PersonStatus,
    /// Index into `departments`.
    pub department: usize,
}

pub struct Pool {
    pub name: String,
    pub vendor: String,
    pub product: String,
    pub tier: String,
    pub license_type: LicenseType,
    pub department: usize,
    pub seats: Option<i64>,
    pub unit_cost: Money,
    pub billing: BillingPeriod,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub ends_in: Offset,
    pub po_number: String,
    /// Indices into `people`.
    pub owner: usize,
    pub holders: Vec<usize>,
    /// The seats it had until four months ago, when it was resized (its history for the spend chart).
    pub seats_until_resized: Option<i64>,
}

impl Pool {
    /// How errors name it.
    pub fn label(&self) -> String {
        format!("pool {:?}", self.name)
    }
}

pub struct Contract {
    pub number: String,
    pub title: String,
    /// Indices into `pools`; the first gives the term's dates, seats, tier and currency.
    pub pools: Vec<usize>,
    pub term: Term,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub vendor_contact: Option<String>,
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    /// Twelve months, on the first pool's contract dates.
    Annual,
    /// One calendar month at a time, the current one.
    MonthlyRolling,
}

pub struct User {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Indices into `departments` (a license owner's scope).
    pub departments: Vec<usize>,
}

/// A date relative to the day the demo is seeded: `"7 months 12 days"`, `"50 days"`, `"1 month"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    months: u32,
    days: u64,
}

impl Offset {
    /// Bounds that keep every offset from any real "today" a valid date.
    const MAX_MONTHS: u32 = 120;
    const MAX_DAYS: u64 = 3_650;

    fn parse(text: &str) -> Option<Offset> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut offset = Offset { months: 0, days: 0 };
        let mut seen_days = false;
        match words.as_slice() {
            [n, unit] => parse_part(&mut offset, &mut seen_days, n, unit)?,
            [n, unit, m, unit2] => {
                parse_part(&mut offset, &mut seen_days, n, unit)?;
                if seen_days {
                    return None;
                }
                parse_part(&mut offset, &mut seen_days, m, unit2)?;
                if !seen_days {
                    return None;
                }
            }
            _ => return None,
        }
        (offset.months <= Self::MAX_MONTHS && offset.days <= Self::MAX_DAYS).then_some(offset)
    }

    pub fn after(self, today: NaiveDate) -> Option<NaiveDate> {
        today.checked_add_months(Months::new(self.months))?.checked_add_days(Days::new(self.days))
    }

    pub fn before(self, today: NaiveDate) -> Option<NaiveDate> {
        today.checked_sub_months(Months::new(self.months))?.checked_sub_days(Days::new(self.days))
    }
}

fn parse_part(offset: &mut Offset, seen_days: &mut bool, number: &str, unit: &str) -> Option<()> {
    match unit {
        "month" | "months" => offset.months = number.parse().ok()?,
        "day" | "days" => {
            offset.days = number.parse().ok()?;
            *seen_days = true;
        }
        _ => return None,
    }
    Some(())
}

// What the file says, before names are resolved.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    settings: toml::Table,
    cost_centre: Vec<toml::Table>,
    department: Vec<toml::Table>,
    pool: Vec<toml::Table>,
    contract: Vec<toml::Table>,
    user: Vec<toml::Table>,
    #[serde(default)]
    exchange_rate: Vec<toml::Table>,
    #[serde(default)]
    budget: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    currency: String,
    rate: String,
    /// How long before the seeding day it applies from: "14 months".
    from_ago: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    cost_centre: String,
    amount_minor: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    timezone: String,
    alert_stages: Vec<i64>,
    rolling_review_months: i64,
    daily_run_hour: i64,
    reporting_currency: String,
    right_size_buffer_percent: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    name: String,
    cost_centre: String,
    people: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    email: String,
    /// Active unless said otherwise.
    status: Option<PersonStatus>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPool {
    name: String,
    vendor: String,
    product: String,
    tier: String,
    license_type: LicenseType,
    department: String,
    seats: Option<i64>,
    unit_cost_minor: i64,
    currency: String,
    billing: BillingPeriod,
    auto_renew: bool,
    notice_days: i64,
    ends_in: String,
    po_number: String,
    owner: String,
    assigned: usize,
    /// A department or "everyone"; the pool's own department when left out.
    assigned_from: Option<String>,
    #[serde(default)]
    leavers_holding: usize,
    seats_until_resized: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    number: String,
    title: String,
    pools: Vec<String>,
    term: Term,
    auto_renew: bool,
    notice_days: i64,
    vendor_contact: Option<String>,
    #[serde(default)]
    documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    email: String,
    name: String,
    roles: Vec<Role>,
    #[serde(default)]
    departments: Vec<String>,
}

/// Read each entry of a list on its own, so an error names the entry (by its `key` field) and not just a line.
fn entries<T: DeserializeOwned>(kind: &str, key: &str, tables: Vec<toml::Table>) -> Result<Vec<(String, T)>, Invalid> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(tables.len());
    for (i, table) in tables.into_iter().enumerate() {
        let label = match table.get(key).and_then(toml::Value::as_str) {
            Some(name) => format!("{kind} {name:?}"),
            None => format!("{kind} #{}", i + 1),
        };
        let value: T =
            toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| invalid(&label, e.message()))?;
        if !seen.insert(label.clone()) {
            return Err(invalid(&label, format!("appears twice (each {key} is used once)")));
        }
        out.push((label, value));
    }
    Ok(out)
}

fn find<T>(items: &[T], name: &str, key: impl Fn(&T) -> &str) -> Option<usize> {
    items.iter().position(|item| key(item) == name)
}

impl Company {
    /// The embedded company.
    pub fn load() -> Result<Company, Invalid> {
        Self::parse(FILE)
    }

    pub fn parse(text: &str) -> Result<Company, Invalid> {
        let raw: RawFile = toml::from_str(text)?;
        let settings: RawSettings = toml::Value::Table(raw.settings)
            .try_into()
            .map_err(|e: toml::de::Error| invalid("settings", e.message()))?;
        let org = OrgSettings {
            timezone: settings.timezone,
            alert_stages: settings.alert_stages,
            rolling_review_months: settings.rolling_review_months,
            daily_run_hour: settings.daily_run_hour,
            reporting_currency: settings.reporting_currency,
            right_size_buffer_percent: settings.right_size_buffer_percent,
            version: 0,
        };
        if let Err(errors) = renewals::validate_org(&org) {
            return Err(invalid("settings", fields(&errors)));
        }

        let cost_centres: Vec<CostCentre> =
            entries("cost centre", "code", raw.cost_centre)?.into_iter().map(|(_, c)| c).collect();
        let mut departments = Vec::new();
        let mut people = Vec::new();
        let mut emails = HashSet::new();
        for (label, d) in entries::<RawDepartment>("department", "name", raw.department)? {
            let cost_centre = find(&cost_centres, &d.cost_centre, |c| &c.code).ok_or_else(|| {
                invalid(&label, format!("cost_centre {:?} is not a listed cost centre", d.cost_centre))
            })?;
            for (person_label, p) in entries::<RawPerson>("person", "email", d.people)? {
                if !emails.insert(p.email.clone()) {
                    return Err(invalid(&person_label, "appears twice"));
                }
                let status = p.status.unwrap_or(PersonStatus::Active);
                people.push(Person { name: p.name, email: p.email, status, department: departments.len() });
            }
            departments.push(Department { name: d.name, cost_centre });
        }
        let department = |label: &str, name: &str| {
            find(&departments, name, |d| &d.name)
                .ok_or_else(|| invalid(label, format!("department {name:?} is not a listed department")))
        };

        let leavers: Vec<usize> = (0..people.len()).filter(|&i| people[i].status == PersonStatus::Terminated).collect();
        let mut pools = Vec::new();
        for (label, p) in entries::<RawPool>("pool", "name", raw.pool)? {
            let pool_department = department(&label, &p.department)?;
            let from = match p.assigned_from.as_deref() {
                None => Some(pool_department),
                Some(EVERYONE) => None,
                Some(name) => Some(department(&label, name)?),
            };
            let candidates: Vec<usize> = (0..people.len())
                .filter(|&i| {
                    from.is_none_or(|d| people[i].department == d) && people[i].status != PersonStatus::Terminated
                })
                .collect();
            if p.assigned > candidates.len() {
                return Err(invalid(
                    &label,
                    format!("assigned {} but only {} people can hold it", p.assigned, candidates.len()),
                ));
            }
            if p.leavers_holding > leavers.len() {
                return Err(invalid(
                    &label,
                    format!("leavers_holding {} but only {} people left", p.leavers_holding, leavers.len()),
                ));
            }
            let mut holders = candidates[..p.assigned].to_vec();
            holders.extend(&leavers[..p.leavers_holding]);
            let owner = find(&people, &p.owner, |x| &x.email)
                .ok_or_else(|| invalid(&label, format!("owner {:?} is not a listed person", p.owner)))?;
            let ends_in = Offset::parse(&p.ends_in).ok_or_else(|| {
                invalid(
                    &label,
                    format!(
                        "ends_in {:?} is not a date from today: write \"7 months\", \"50 days\" or \"7 months 12 days\" \
                         (at most {} months and {} days)",
                        p.ends_in,
                        Offset::MAX_MONTHS,
                        Offset::MAX_DAYS
                    ),
                )
            })?;
            pools.push(Pool {
                name: p.name,
                vendor: p.vendor,
                product: p.product,
                tier: p.tier,
                license_type: p.license_type,
                department: pool_department,
                seats: p.seats,
                unit_cost: Money::new(p.unit_cost_minor, &p.currency),
                billing: p.billing,
                auto_renew: p.auto_renew,
                notice_days: p.notice_days,
                ends_in,
                po_number: p.po_number,
                owner,
                holders,
                seats_until_resized: p.seats_until_resized,
            });
        }

        let mut covered = HashSet::new();
        let mut contracts = Vec::new();
        for (label, c) in entries::<RawContract>("contract", "number", raw.contract)? {
            let mut indices = Vec::new();
            for name in &c.pools {
                let i = find(&pools, name, |p| &p.name)
                    .ok_or_else(|| invalid(&label, format!("pool {name:?} is not a listed pool")))?;
                if !covered.insert(i) {
                    return Err(invalid(&label, format!("pool {name:?} is already under another contract")));
                }
                if pools[i].vendor != pools[indices.first().copied().unwrap_or(i)].vendor {
                    return Err(invalid(&label, format!("pool {name:?} is from another vendor than the first pool")));
                }
                indices.push(i);
            }
            if indices.is_empty() {
                return Err(invalid(&label, "covers no pool"));
            }
            contracts.push(Contract {
                number: c.number,
                title: c.title,
                pools: indices,
                term: c.term,
                auto_renew: c.auto_renew,
                notice_days: c.notice_days,
                vendor_contact: c.vendor_contact,
                documents: c.documents,
            });
        }

        let mut users = Vec::new();
        for (label, u) in entries::<RawUser>("user", "email", raw.user)? {
            let departments = u.departments.iter().map(|d| department(&label, d)).collect::<Result<_, _>>()?;
            users.push(User { email: u.email, name: u.name, roles: u.roles, departments });
        }
        let mut exchange_rates = Vec::new();
        for (label, r) in entries::<RawRate>("exchange rate", "", raw.exchange_rate)? {
            let ago = Offset::parse(&r.from_ago).ok_or_else(|| {
                invalid(&label, format!("from_ago {:?} is not a time such as \"14 months\"", r.from_ago))
            })?;
            exchange_rates.push(ExchangeRate { currency: r.currency, rate: r.rate, ago });
        }
        let mut budgets = Vec::new();
        for (label, b) in entries::<RawBudget>("budget", "cost_centre", raw.budget)? {
            let cost_centre = find(&cost_centres, &b.cost_centre, |c| &c.code).ok_or_else(|| {
                invalid(&label, format!("cost_centre {:?} is not a listed cost centre", b.cost_centre))
            })?;
            budgets.push(Budget { cost_centre, amount_minor: b.amount_minor });
        }
        Ok(Company { org, cost_centres, departments, people, pools, contracts, users, exchange_rates, budgets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_company_reads() {
        let c = Company::load().unwrap();
        assert_eq!((c.cost_centres.len(), c.departments.len(), c.people.len()), (6, 8, 301));
        assert_eq!((c.pools.len(), c.contracts.len(), c.users.len()), (40, 37, 5));
    }

    fn with(find: &str, replace: &str) -> String {
        assert!(FILE.contains(find), "{find}");
        FILE.replacen(find, replace, 1)
    }

    fn error(text: &str) -> String {
        Company::parse(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn an_unknown_key_names_its_entry() {
        let e = error(&with("name = \"Figma Organization\"\n", "name = \"Figma Organization\"\ncolour = \"red\"\n"));
        assert!(e.contains("pool \"Figma Organization\"") && e.contains("colour"), "{e}");
        let e = error(&with("email = \"owner@example.com\"", "email = \"owner@example.com\", age = 3"));
        assert!(e.contains("person \"owner@example.com\"") && e.contains("age"), "{e}");
    }

    #[test]
    fn a_bad_date_names_its_entry() {
        let e = error(&with("ends_in = \"50 days\"", "ends_in = \"50 dyas\""));
        assert!(e.contains("pool \"Figma Organization\"") && e.contains("50 dyas"), "{e}");
        for bad in ["", "7", "days 7", "3 days 2 months", "-1 months", "1 month 2 months", "9999 months"] {
            assert_eq!(Offset::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Offset::parse("7 months 12 days"), Some(Offset { months: 7, days: 12 }));
        assert_eq!(Offset::parse("1 month"), Some(Offset { months: 1, days: 0 }));
    }

    #[test]
    fn names_must_point_somewhere() {
        let e = error(&with("owner = \"owner@example.com\"", "owner = \"nobody@example.com\""));
        assert!(e.contains("pool \"") && e.contains("nobody@example.com"), "{e}");
        let e = error(&with("\"Figma Organization\"]", "\"Figma Organisation\"]"));
        assert!(e.contains("contract \"") && e.contains("Figma Organisation"), "{e}");
        let e = error(&with("license_type = \"per_user\"", "license_type = \"per_seat\""));
        assert!(e.contains("pool \"") && e.contains("per_seat"), "{e}");
    }
}
