//! The renewal calendar (end and cancel-by dates, the quarter pipeline) and each user's iCalendar feed.

use chrono::{Datelike, Days, Months, NaiveDate};
use seatwise_types::{
    money_totals, Calendar, CalendarEvent, CalendarFeed, CalendarQuery, DateKind, Money, PipelineBucket,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::contracts::{self as store, CalendarRow, ContractFilter};
use crate::db::jobs as feeds;
use crate::db::users;
use crate::db::Db;
use crate::domain::access::{self, Reader};
use crate::domain::ics::{self, FeedEntry};
use crate::domain::limits;
use crate::domain::renewals as rules;
use crate::domain::secret::{random_token, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{contracts, org};

/// The widest date range one calendar request may ask for.
const MAX_RANGE_DAYS: i64 = 400;
/// Pipeline buckets: value whose date that matters falls within this many days.
const PIPELINE: [i64; 3] = [30, 60, 90];

/// The dated entries of a term row that fall in `from..=to`.
fn events_of(r: &CalendarRow, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Vec<CalendarEvent> {
    let mut dates = vec![(DateKind::End, r.end)];
    if r.auto_renew {
        dates.insert(0, (DateKind::CancelBy, r.cancel_by));
    }
    dates
        .into_iter()
        .filter(|(_, d)| *d >= from && *d <= to)
        .map(|(kind, date)| {
            let days_left = (date - today).num_days();
            CalendarEvent {
                date,
                kind,
                contract_id: r.contract_id,
                contract_number: r.number.clone(),
                title: r.title.clone(),
                vendor: r.vendor.clone(),
                auto_renew: r.auto_renew,
                days_left,
                urgency: rules::urgency(days_left),
                value: r.value.clone(),
                hidden_pools: r.hidden_pools,
            }
        })
        .collect()
}

/// Keep the rows `reader` may see, each valued by what they may see of it (the access policy in one place).
async fn scoped_rows(db: &Db, rows: Vec<CalendarRow>, reader: &Reader) -> AppResult<Vec<CalendarRow>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.contract_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let covered = store::covered_pools(&db.read, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut r| {
            let (visible, hidden) = contracts::view(reader, &covered, r.contract_id);
            if !access::sees_contract(reader, visible.len()) {
                return None;
            }
            if hidden > 0 {
                let sum = visible
                    .iter()
                    .filter(|p| p.currency == r.currency)
                    .fold(0_i64, |sum, p| sum.saturating_add(p.annual_cost_minor));
                r.value = (sum > 0).then(|| Money::new(sum, r.currency.clone()));
                r.hidden_pools = hidden;
            }
            Some(r)
        })
        .collect())
}

pub async fn calendar(db: &Db, clock: &dyn Clock, actor: &Actor, p: &CalendarQuery) -> AppResult<Calendar> {
    let scope = contracts::read_scope(actor)?;
    let mut errors = Vec::new();
    limits::check_date(&mut errors, "from", p.from);
    limits::check_date(&mut errors, "to", p.to);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let today = org::today(db, clock).await?;
    let month_start = today.with_day(1).unwrap_or(today);
    let from = p.from.unwrap_or(month_start);
    let to = p.to.unwrap_or_else(|| from.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(from));
    if to < from {
        return Err(AppError::field("to", "must be on or after from"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::field("to", &format!("the range may span at most {MAX_RANGE_DAYS} days")));
    }
    let f = ContractFilter {
        scope: scope.as_filter(),
        vendor_id: p.vendor_id,
        department_id: p.department_id,
        cost_centre_id: p.cost_centre_id,
        owner_id: p.owner_id,
        ..Default::default()
    };
    let reader = Reader::user(&actor.user);
    let rows = scoped_rows(db, store::calendar(&db.read, &f, from, to).await?, &reader).await?;
    let mut events: Vec<CalendarEvent> = rows.iter().flat_map(|r| events_of(r, from, to, today)).collect();
    events.sort_by_key(|e| (e.date, e.contract_id));

    let horizon = today.checked_add_days(Days::new(PIPELINE[2] as u64)).unwrap_or(today);
    let upcoming = scoped_rows(db, store::calendar(&db.read, &f, today, horizon).await?, &reader).await?;
    let pipeline = PIPELINE
        .iter()
        .map(|within| {
            let due: Vec<&CalendarRow> =
                upcoming.iter().filter(|r| (0..=*within).contains(&(r.key_date - today).num_days())).collect();
            PipelineBucket {
                within_days: *within,
                contracts: due.len() as i64,
                value: money_totals(due.iter().filter_map(|r| r.value.as_ref())),
            }
        })
        .collect();
    Ok(Calendar { from, to, today, events, pipeline })
}

fn feed_url(public_url: &str, token: &str) -> String {
    format!("{}/api/v1/calendar/feed.ics?token={token}", public_url.trim_end_matches('/'))
}

pub async fn feed_status(db: &Db, actor: &Actor) -> AppResult<CalendarFeed> {
    access::may_use_calendar_feed(&actor.user)?;
    Ok(match feeds::feed_of(&db.read, actor.user.id).await? {
        Some(feed) => {
            CalendarFeed { active: true, created_at: Some(feed.created_at), last_used_at: feed.last_used_at, url: None }
        }
        None => CalendarFeed::default(),
    })
}

/// Create (or replace) the caller's feed address; the token is shown once and stored only as a hash.
pub async fn create_feed(db: &Db, clock: &dyn Clock, public_url: &str, actor: &Actor) -> AppResult<CalendarFeed> {
    access::may_use_calendar_feed(&actor.user)?;
    let token = random_token("swcal_");
    let now = clock.now();
    let mut tx = db.begin().await?;
    feeds::replace_feed(&mut tx, actor.user.id, &sha256_hex(&token), now).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::event("calendar_feed.create", "user", Some(actor.user.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(CalendarFeed {
        active: true,
        created_at: Some(now),
        last_used_at: None,
        url: Some(feed_url(public_url, &token)),
    })
}

pub async fn revoke_feed(db: &Db, clock: &dyn Clock, actor: &Actor) -> AppResult<()> {
    access::may_use_calendar_feed(&actor.user)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    if feeds::revoke_feeds(&mut tx, actor.user.id, now).await? == 0 {
        return Err(AppError::NotFound("calendar feed"));
    }
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::event("calendar_feed.revoke", "user", Some(actor.user.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The feed behind a token: end and cancel-by dates of the contracts the user owns or watches, from a quarter
/// ago to two years ahead. Unknown or revoked tokens are 404.
pub async fn render_feed(db: &Db, clock: &dyn Clock, public_url: &str, token: &str) -> AppResult<String> {
    let now = clock.now();
    let user_id =
        feeds::feed_user(&db.write, &sha256_hex(token), now).await?.ok_or(AppError::NotFound("calendar feed"))?;
    let user = users::load(&db.read, user_id).await?.ok_or(AppError::NotFound("calendar feed"))?;
    if access::may_use_calendar_feed(&user).is_err() {
        return Err(AppError::NotFound("calendar feed"));
    }
    let today = org::today(db, clock).await?;
    let ids = store::feed_contract_ids(&db.read, user_id).await?;
    let from = today.checked_sub_days(Days::new(92)).unwrap_or(today);
    let to = today.checked_add_months(Months::new(24)).unwrap_or(today);
    let f = ContractFilter { ids: Some(ids), ..Default::default() };
    // The user's scope now, not when they started watching: someone who lost a department loses its entries.
    let reader = Reader::recipient(Some(&user), &user.email);
    let rows = scoped_rows(db, store::calendar(&db.read, &f, from, to).await?, &reader).await?;
    let entries: Vec<FeedEntry> = rows
        .iter()
        .flat_map(|r| {
            events_of(r, from, to, today).into_iter().map(move |e| FeedEntry {
                contract_id: e.contract_id,
                kind: e.kind,
                date: e.date,
                title: e.title,
                vendor: e.vendor,
                number: e.contract_number,
                detail: match e.kind {
                    DateKind::CancelBy => format!("Renews automatically unless cancelled; the term ends {}.", r.end),
                    _ if r.auto_renew => format!("Renews automatically; notice was due by {}.", r.cancel_by),
                    _ => "Ends unless renewed.".to_string(),
                },
            })
        })
        .collect();
    Ok(ics::render(&entries, &user.email, public_url, now))
}
