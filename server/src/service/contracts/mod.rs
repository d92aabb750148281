//! Contracts: listing, reading, recording and editing them, and renewal decisions.

mod decide;
mod edit;

use chrono::{Days, NaiveDate};
use seatwise_types::{Contract, ContractDetail, ContractQuery, Money, Page, Ref};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::alerts::{self as alert_store, AlertFilter, Inbox};
use crate::db::contracts::{self as store, ContractFilter, ContractSort, CoveredPool, StoredContract};
use crate::db::Db;
use crate::domain::access::{self, PoolPlace, Reader, Scope};
use crate::domain::renewals::{self as rules};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self};
use crate::service::{org, paging, parse_sort};

pub use decide::*;
pub use edit::*;

/// Holders without a sign-in for this long count as inactive on the decision screen.
pub const INACTIVE_DAYS: u64 = 90;

pub fn read_scope(actor: &Actor) -> AppResult<Scope> {
    Ok(access::may_read_contracts(&actor.user)?)
}

/// The API shape of a stored contract, as of `today`.
pub fn to_api(c: StoredContract, pools: Vec<Ref>, today: NaiveDate) -> Contract {
    let (_, key_date) = rules::key_date(c.auto_renew, c.term.end_date, c.notice_days);
    let days = (key_date - today).num_days();
    let value = c.renewal_price_minor.or(c.term.price.as_ref().map(|p| p.amount_minor));
    let value = value.or((c.pools_value_minor > 0).then_some(c.pools_value_minor));
    Contract {
        id: c.id,
        number: c.number,
        title: c.title,
        rolling: rules::is_rolling(c.auto_renew, c.term_months),
        auto_renew: c.auto_renew,
        notice_days: c.notice_days,
        term_months: c.term_months,
        cancel_by: rules::cancel_by(c.term.end_date, c.notice_days),
        key_date,
        days_to_key_date: days,
        urgency: rules::urgency(days),
        status: rules::status(c.term.decision, c.term.end_date, today),
        renewal_price: c.renewal_price_minor.map(|m| Money::new(m, c.currency.clone())),
        value: value.map(|m| Money::new(m, c.currency.clone())),
        vendor_contact: c.vendor_contact,
        documents: c.documents,
        vendor: c.vendor,
        term: c.term,
        pools,
        open_alerts: c.open_alerts,
        hidden_pools: 0,
        version: c.version,
    }
}

/// What `reader` may see of one contract: its visible covered pools and how many are hidden.
pub fn view<'a>(reader: &Reader, covered: &'a [CoveredPool], contract_id: i64) -> (Vec<&'a CoveredPool>, i64) {
    let mine = covered.iter().filter(|p| p.contract_id == contract_id);
    access::visible_pools(reader, mine, |p| (p.place, p.owner_email.as_deref()))
}

/// A contract seen by someone who sees only some of its pools: the contract's own prices and seats cover the
/// hidden pools too, so they are withheld and its value is the visible pools' annual cost (in its currency).
fn withhold(mut c: StoredContract, visible: &[&CoveredPool]) -> StoredContract {
    c.renewal_price_minor = None;
    c.term.price = None;
    c.term.seats = None;
    c.pools_value_minor = visible
        .iter()
        .filter(|p| p.currency == c.currency)
        .fold(0_i64, |sum, p| sum.saturating_add(p.annual_cost_minor));
    c
}

/// The API shape of a contract as `reader` may see it (`covered`: the covered pools of at least this contract).
pub fn scoped_api(c: StoredContract, covered: &[CoveredPool], reader: &Reader, today: NaiveDate) -> Contract {
    let (visible, hidden) = view(reader, covered, c.id);
    let refs = visible.iter().map(|p| p.pool.clone()).collect();
    let c = if hidden > 0 { withhold(c, &visible) } else { c };
    Contract { hidden_pools: hidden, ..to_api(c, refs, today) }
}

pub async fn list(db: &Db, clock: &dyn Clock, actor: &Actor, p: &ContractQuery) -> AppResult<Page<Contract>> {
    let scope = read_scope(actor)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let sort = parse_sort(p.sort.as_deref(), ContractSort::parse)?;
    let f = ContractFilter {
        scope: scope.as_filter(),
        q: p.q.clone(),
        vendor_id: p.vendor_id,
        department_id: p.department_id,
        cost_centre_id: p.cost_centre_id,
        owner_id: p.owner_id,
        ids: None,
    };
    let Page { items: rows, total, .. } = store::list(&db.read, &f, sort, page, per_page).await?;
    let today = org::today(db, clock).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let covered = store::covered_pools(&db.read, &ids).await?;
    let reader = Reader::user(&actor.user);
    let items = rows.into_iter().map(|c| scoped_api(c, &covered, &reader, today)).collect();
    Ok(Page { items, total, page, per_page })
}

/// A contract the caller may read (404 outside their scope) and where its covered pools sit, which decides what
/// the caller may do with it (`access::may_edit_contract` and its kin).
pub async fn readable(db: &Db, actor: &Actor, id: i64) -> AppResult<(StoredContract, Vec<PoolPlace>)> {
    read_scope(actor)?;
    let places = store::places_of(&db.read, id).await?;
    let reader = Reader::user(&actor.user);
    let visible = access::sees_contract(&reader, places.iter().filter(|p| reader.sees(**p, None)).count());
    let contract = match store::get(&db.read, id).await? {
        Some(c) if visible => c,
        _ => return Err(AppError::NotFound("contract")),
    };
    Ok((contract, places))
}

pub async fn detail(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<ContractDetail> {
    let (c, places) = readable(db, actor, id).await?;
    let can_edit = access::may_edit_contract(&actor.user, &places).is_ok();
    let today = org::today(db, clock).await?;
    let db = &db.read;
    let currency = c.currency.clone();
    let inactive_before = today.checked_sub_days(Days::new(INACTIVE_DAYS)).unwrap_or(today);
    let covered = store::covered_pools(db, &[id]).await?;
    let reader = Reader::user(&actor.user);
    let (visible, _) = view(&reader, &covered, id);
    let visible: Vec<i64> = visible.iter().map(|p| p.pool.id).collect();
    let contract = scoped_api(c, &covered, &reader, today);
    let mut terms = store::terms(db, id, &currency).await?;
    let mut pools: Vec<seatwise_types::PoolUsage> =
        store::usage(db, id, inactive_before).await?.into_iter().filter(|u| visible.contains(&u.pool.id)).collect();
    right_size(db, clock, &mut pools).await?;
    if contract.hidden_pools > 0 {
        for t in &mut terms {
            t.price = None;
            t.seats = None;
        }
    }
    let watchers = store::watchers(db, id).await?;
    let filter = AlertFilter { contract_id: Some(id), inbox: Inbox::All, today, ..Default::default() };
    let alerts = alert_store::list(db, &filter, 1, 100).await?.items;
    let watching = watchers.iter().any(|w| w.id == actor.user.id);
    Ok(ContractDetail { contract, terms, pools, watchers, watching, alerts, can_edit })
}

/// A contract's history from the audit ledger (decisions, renewals, alerts raised), newest first.
pub async fn history(
    db: &Db,
    actor: &Actor,
    id: i64,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<seatwise_types::LedgerEntry>> {
    readable(db, actor, id).await?;
    let mut entries = ledger::history(db, "contract", id, page, per_page).await?;
    // Recorded values cover the whole contract (every pool, its price, its recipients): someone who sees only part
    // of it gets what happened and when, not the values.
    let covered = store::covered_pools(&db.read, &[id]).await?;
    if view(&Reader::user(&actor.user), &covered, id).1 > 0 {
        for e in &mut entries.items {
            e.before = None;
            e.after = None;
        }
    }
    Ok(entries)
}
