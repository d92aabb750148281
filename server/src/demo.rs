//! Demo data: a believable 300-person company with about 40 license pools, for trying Seatwise out. The company
//! is described in `demo/company.toml`; this writes it through the storage layer in one transaction.

mod campaigns;
mod changes;
mod company;
mod connectors;
mod reclamation;

use chrono::{Datelike, Duration, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seatwise_types::{PersonStatus, PoolInput};

use crate::db::bulk::{self, PersonRow, SeatRow};
use crate::db::{catalog, contracts, jobs, pools, Conn};
use crate::domain::people::TERMINATION_REASON;
use crate::domain::pool as rules;
use crate::domain::renewals::{self as renewal_rules, ContractValues};
use crate::error::AppError;
use crate::service::accounts;
use crate::service::ledger::{self, Change};
use crate::state::AppState;
pub use company::Invalid;
use company::{Company, Term};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Data(#[from] Invalid),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for DemoError {
    fn from(e: sqlx::Error) -> Self {
        Self::App(e.into())
    }
}

/// The demo accounts and their roles, for printing at start.
pub fn account_emails() -> Result<Vec<(String, String)>, Invalid> {
    let company = Company::load()?;
    let label = |u: &company::User| u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    Ok(company.users.iter().map(|u| (u.email.clone(), label(u))).collect())
}

/// The demo's approval queue: requests in every state, made through the console's own use cases on the company
/// `seed` wrote. Separate from it, so that tests of change requests start with an empty queue.
pub async fn seed_change_requests(state: &AppState) -> Result<(), DemoError> {
    Ok(changes::seed(state).await?)
}

/// The demo's reclamation (usage data, policies, leavers, holds, savings, consent campaigns, a manual connector's
/// tasks), after its change requests.
pub async fn seed_reclamation(state: &AppState) -> Result<(), DemoError> {
    reclamation::seed(state).await?;
    campaigns::seed(state).await?;
    Ok(connectors::seed(state).await?)
}

/// Seed the demo company into an empty database. Returns false when there was already data. The file is checked
/// first, so a broken one is reported whatever the database holds.
pub async fn seed(state: &AppState, password: &str) -> Result<bool, DemoError> {
    let company = Company::load()?;
    if !bulk::is_empty(&state.db.read).await? {
        return Ok(false);
    }
    let now = state.clock.now();
    let today = now.date_naive();
    // Only for what nobody needs to edit: how long ago each seat was given, how fast each leaver's was marked.
    let mut rng = StdRng::seed_from_u64(2026);
    let mut tx = state.db.begin().await?;

    let mut cost_centre_ids = Vec::new();
    for c in &company.cost_centres {
        cost_centre_ids.push(catalog::insert_cost_centre(&mut tx, &c.code, &c.name).await?);
    }
    let mut department_ids = Vec::new();
    for d in &company.departments {
        department_ids.push((catalog::insert_department(&mut tx, &d.name).await?, cost_centre_ids[d.cost_centre]));
    }
    let people: Vec<PersonRow> = company
        .people
        .iter()
        .map(|p| PersonRow {
            name: p.name.clone(),
            email: p.email.clone(),
            department_id: department_ids[p.department].0,
            cost_centre_id: department_ids[p.department].1,
            status: p.status,
        })
        .collect();
    let person_ids = bulk::insert_people(&mut tx, &people, now).await?;

    let mut vendors: Vec<(&str, i64)> = Vec::new();
    let mut products: Vec<(&str, &str, i64)> = Vec::new();
    // Per pool: id, vendor id, contract start and end.
    let mut made: Vec<(i64, i64, NaiveDate, NaiveDate)> = Vec::new();
    for s in &company.pools {
        let vendor_id = match vendors.iter().find(|(v, _)| *v == s.vendor) {
            Some((_, id)) => *id,
            None => {
                let id = catalog::insert_vendor(&mut tx, &s.vendor, None).await?;
                vendors.push((&s.vendor, id));
                id
            }
        };
        let product_id = match products.iter().find(|(v, p, _)| *v == s.vendor && *p == s.product) {
            Some((_, _, id)) => *id,
            None => {
                let id = catalog::insert_product(&mut tx, vendor_id, &s.product).await?;
                products.push((&s.vendor, &s.product, id));
                id
            }
        };
        let (department_id, cost_centre_id) = department_ids[s.department];
        let dates = s.ends_in.after(today).and_then(|end| Some((one_year_before(end)?, end)));
        let Some((start, end)) = dates else {
            return Err(company::invalid(&s.label(), "ends_in is out of range").into());
        };
        let input = PoolInput {
            name: s.name.clone(),
            product_id,
            tier: s.tier.clone(),
            license_type: Some(s.license_type),
            seats_purchased: s.seats,
            allow_overage: false,
            unit_cost: Some(s.unit_cost.clone()),
            billing_period: Some(s.billing),
            cost_centre_id,
            department_id,
            owner_id: Some(person_ids[s.owner]),
            contract_start: Some(start),
            contract_end: Some(end),
            auto_renew: s.auto_renew,
            notice_days: Some(s.notice_days),
            po_number: Some(s.po_number.clone()),
            notes: None,
        };
        let values =
            rules::validate(&input, vendor_id).map_err(|e| company::invalid(&s.label(), company::fields(&e)))?;
        let pool_id = pools::insert(&mut tx, &values, now).await?;
        let seats: Vec<SeatRow> = s
            .holders
            .iter()
            .map(|&i| SeatRow {
                pool_id,
                person_id: person_ids[i],
                assigned_at: now - Duration::days(rng.gen_range(1..700)),
            })
            .collect();
        bulk::insert_seats(&mut tx, &seats, "demo").await?;
        pools::set_seat_count(&mut tx, pool_id).await?;
        let pool = pools::get(&mut *tx, pool_id).await?.ok_or(AppError::NotFound("pool"))?;
        // Bought a year and a month ago (so the spend chart has a year behind it); a resized pool had its earlier
        // seat count until four months ago.
        let bought = now.checked_sub_months(Months::new(13)).unwrap_or(now);
        match s.seats_until_resized {
            Some(earlier) => {
                let mut was = pool.clone();
                was.seats_purchased = Some(earlier);
                ledger::record(&mut tx, bought, "demo", Change::created("pool.create", "pool", Some(pool_id), &was))
                    .await?;
                let resized = now.checked_sub_months(Months::new(4)).unwrap_or(now);
                let change = Change::changed("pool.update", "pool", Some(pool_id), &was, &pool);
                ledger::record(&mut tx, resized, "demo", change).await?;
            }
            None => {
                let change = Change::created("pool.create", "pool", Some(pool_id), &pool);
                ledger::record(&mut tx, bought, "demo", change).await?;
            }
        }
        made.push((pool_id, vendor_id, start, end));
    }
    seed_contracts(&mut tx, &company, &made, today, now).await?;
    let reporting = company.org.reporting_currency.as_str();
    let rates = company
        .exchange_rates
        .iter()
        .map(|r| {
            let from =
                r.ago.before(today).ok_or_else(|| AppError::internal(format!("{} rate: no date", r.currency)))?;
            // Checked and written as an admin's would be ("1.0820" kept as 1.082).
            crate::domain::fx::check_rate(&r.currency, &r.rate, from, reporting)
                .map_err(|e| AppError::internal(format!("{} rate: {}", r.currency, company::fields(&e))))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    crate::db::exchange_rates::insert(&mut tx, reporting, &rates, "demo", now).await?;
    for b in &company.budgets {
        let amount = seatwise_types::Money::new(b.amount_minor, reporting);
        crate::db::finance::set_budget(&mut tx, cost_centre_ids[b.cost_centre], today.year(), &amount, "demo", now)
            .await?;
    }
    jobs::save_org_settings(&mut tx, &crate::service::org::row(&company.org), now).await?;
    // Leavers' seats are already marked for reclamation, as if HR had told us the day they left.
    let leavers = people.iter().zip(&person_ids).filter(|(p, _)| p.status == PersonStatus::Terminated);
    for (_, id) in leavers {
        let latency_ms = rng.gen_range(40_000..4_000_000);
        pools::mark_person_seats(&mut tx, *id, TERMINATION_REASON, now, latency_ms).await?;
    }
    let summary = serde_json::json!({
        "people": people.len(), "pools": company.pools.len(), "departments": company.departments.len()
    });
    ledger::record(&mut tx, now, "demo", Change::created("demo.seed", "system", None, &summary)).await?;
    tx.commit().await?;

    for u in &company.users {
        let ids = u.departments.iter().map(|&d| department_ids[d].0).collect();
        let input = seatwise_types::UserCreate {
            email: u.email.clone(),
            name: u.name.clone(),
            password: password.into(),
            roles: u.roles.clone(),
            department_ids: ids,
        };
        accounts::create_demo_user(&state.db, &*state.clock, &state.hasher, &input).await?;
    }
    Ok(true)
}

/// Each contract's first term runs on its first pool's dates (a monthly rolling one: this calendar month).
async fn seed_contracts(
    tx: &mut Conn,
    company: &Company,
    made: &[(i64, i64, NaiveDate, NaiveDate)],
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DemoError> {
    for c in &company.contracts {
        let first = &company.pools[c.pools[0]];
        let (_, vendor_id, start, end) = made[c.pools[0]];
        let (start, end, term_months) = match c.term {
            Term::Annual => (start, end, 12),
            Term::MonthlyRolling => {
                let month = today.with_day(1).unwrap_or(today);
                let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
                (month, next - Duration::days(1), 1)
            }
        };
        let values = ContractValues {
            vendor_id,
            number: c.number.clone(),
            title: c.title.clone(),
            term_start: start,
            term_end: end,
            term_months,
            auto_renew: c.auto_renew,
            notice_days: c.notice_days,
            renewal_price: None,
            vendor_contact: c.vendor_contact.clone(),
            documents: c.documents.clone(),
        };
        let id = contracts::insert(tx, &values, &first.unit_cost.currency, now).await?;
        let (_, key_date) = renewal_rules::key_date(values.auto_renew, end, values.notice_days);
        let term = contracts::NewTerm {
            contract_id: id,
            seq: 1,
            start,
            end,
            cancel_by: renewal_rules::cancel_by(end, values.notice_days),
            key_date,
            price_minor: None,
            seats: first.seats,
            tier: Some(first.tier.clone()),
        };
        contracts::insert_term(tx, &term, now).await?;
        for &i in &c.pools {
            contracts::set_pool(tx, id, made[i].0).await?;
        }
    }
    contracts::sync_running_terms(tx, today, None).await?;
    Ok(())
}

/// The start of a one-year term ending on `end`.
fn one_year_before(end: NaiveDate) -> Option<NaiveDate> {
    end.checked_sub_months(Months::new(12))?.checked_add_days(chrono::Days::new(1))
}
