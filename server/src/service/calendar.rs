//! The renewal calendar (end and cancel-by dates, the quarter pipeline) and each user's iCalendar feed.

use chrono::{Datelike, Days, Months, NaiveDate};
use seatwise_types::{
    money_totals, Calendar, CalendarDay, CalendarDayQuery, CalendarEvent, CalendarFeed, CalendarQuery, DateKind,
    DateKindCount, Money, Page, PipelineBucket,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::contracts::{self as store, CalendarEntry, CalendarRow, ContractFilter};
use crate::db::jobs as feeds;
use crate::db::users;
use crate::db::Db;
use crate::domain::access::{self, Reader, Scope};
use crate::domain::ics::{self, FeedEntry};
use crate::domain::limits;
use crate::domain::renewals as rules;
use crate::domain::secret::{random_token, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{contracts, org, paging};

/// The widest date range one calendar request may ask for.
const MAX_RANGE_DAYS: i64 = 400;
/// Pipeline buckets: value whose date that matters falls within this many days.
const PIPELINE: [i64; 3] = [30, 60, 90];

/// Events each calendar day carries in full: what a month-grid cell shows before "more". The rest of a day is one
/// request away (`GET /api/v1/calendar/events?date=`), so the calendar stays small however busy a quarter is.
pub const PER_DAY: i64 = 3;

/// The longest range whose days carry their first events: a quarter, what the agenda shows (a month grid shows
/// one month). A longer range is an overview and carries each day's counts only (`per_day` 0).
const EVENTS_MAX_DAYS: i64 = 92;

fn event(r: &CalendarRow, kind: DateKind, date: NaiveDate, today: NaiveDate) -> CalendarEvent {
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
}

/// The dated entries of a term row that fall in `from..=to`.
fn events_of(r: &CalendarRow, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Vec<CalendarEvent> {
    let mut dates = vec![(DateKind::End, r.end)];
    if r.auto_renew {
        dates.insert(0, (DateKind::CancelBy, r.cancel_by));
    }
    dates.into_iter().filter(|(_, d)| *d >= from && *d <= to).map(|(kind, date)| event(r, kind, date, today)).collect()
}

impl AsMut<CalendarRow> for CalendarEntry {
    fn as_mut(&mut self) -> &mut CalendarRow {
        &mut self.row
    }
}

impl AsMut<CalendarRow> for CalendarRow {
    fn as_mut(&mut self) -> &mut CalendarRow {
        self
    }
}

/// Keep the rows `reader` may see, each valued by what they may see of it (the access policy in one place).
async fn scoped_rows<T: AsMut<CalendarRow>>(db: &Db, mut rows: Vec<T>, reader: &Reader) -> AppResult<Vec<T>> {
    // Someone who reads everything sees every covered pool: nothing to hide or revalue, no pools to load.
    if reader.scope == Scope::All {
        return Ok(rows);
    }
    let mut ids: Vec<i64> = rows.iter_mut().map(|r| r.as_mut().contract_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let covered = store::covered_pools(&db.read, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut item| {
            let r = item.as_mut();
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
            Some(item)
        })
        .collect())
}

/// Each day's events in the order a day lists them (by contract, cancel-by before end, then term), keeping the
/// ranks `skip + 1 ..= skip + take` of every day.
fn in_day_order(mut entries: Vec<CalendarEntry>, skip: usize, take: usize) -> Vec<CalendarEntry> {
    let kind_order = |k: DateKind| DateKind::ALL.iter().position(|x| *x == k);
    entries.sort_by_key(|e| (e.date, e.row.contract_id, kind_order(e.kind), e.term_id));
    let mut rank = 0;
    let mut day = None;
    entries.retain(|e| {
        if day != Some(e.date) {
            (day, rank) = (Some(e.date), 0);
        }
        rank += 1;
        rank > skip && rank <= skip + take
    });
    entries
}

/// The calendar's filters as storage filters, within what the caller may read.
fn calendar_filter(
    actor: &Actor,
    vendor_id: Option<i64>,
    department_id: Option<i64>,
    cost_centre_id: Option<i64>,
    owner_id: Option<i64>,
) -> AppResult<ContractFilter> {
    let scope = contracts::read_scope(actor)?;
    Ok(ContractFilter {
        scope: scope.as_filter(),
        vendor_id,
        department_id,
        cost_centre_id,
        owner_id,
        ..Default::default()
    })
}

/// Per day in the range: the counts by kind and the first [`PER_DAY`] events; the 30/60/90-day pipeline.
pub async fn calendar(db: &Db, clock: &dyn Clock, actor: &Actor, p: &CalendarQuery) -> AppResult<Calendar> {
    let f = calendar_filter(actor, p.vendor_id, p.department_id, p.cost_centre_id, p.owner_id)?;
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
    let reader = Reader::user(&actor.user);
    let per_day = if (to - from).num_days() < EVENTS_MAX_DAYS { PER_DAY } else { 0 };
    let firsts = async {
        if per_day == 0 {
            return Ok(Vec::new());
        }
        let firsts = store::day_events(&db.read, db.backend, &f, from, to, per_day).await?;
        scoped_rows(db, in_day_order(firsts, 0, per_day as usize), &reader).await
    };
    // Three independent reads, each on its own pooled connection at once.
    let (counts, firsts, pipeline) = tokio::try_join!(
        async { Ok::<_, AppError>(store::day_counts(&db.read, db.backend, &f, from, to).await?) },
        firsts,
        pipeline(db, &f, &reader, today),
    )?;
    let mut days: Vec<CalendarDay> = Vec::new();
    for c in counts {
        let count = DateKindCount { kind: c.kind, count: c.count };
        match days.last_mut() {
            Some(day) if day.date == c.date => {
                day.total += c.count;
                day.counts.push(count);
            }
            _ => days.push(CalendarDay { date: c.date, total: c.count, counts: vec![count], events: Vec::new() }),
        }
    }
    // Both lists are by day; each day's first events join their counts.
    let mut firsts = firsts.into_iter().peekable();
    for day in &mut days {
        while let Some(e) = firsts.next_if(|e| e.date <= day.date) {
            if e.date == day.date {
                day.events.push(event(&e.row, e.kind, e.date, today));
            }
        }
    }
    Ok(Calendar { from, to, today, days, per_day, pipeline })
}

/// The 30/60/90-day pipeline: contracts whose date that matters is that close, and their value per currency
/// (sorted by currency). Someone who sees every contract gets it summed in the database; anyone else from the
/// rows, each revalued to the pools they may see.
async fn pipeline(db: &Db, f: &ContractFilter, reader: &Reader, today: NaiveDate) -> AppResult<Vec<PipelineBucket>> {
    let ends = PIPELINE.map(|within| today.checked_add_days(Days::new(within as u64)).unwrap_or(today));
    let mut buckets: Vec<PipelineBucket> = PIPELINE
        .iter()
        .map(|within| PipelineBucket { within_days: *within, contracts: 0, value: Vec::new() })
        .collect();
    if reader.scope == Scope::All {
        for total in store::due_totals(&db.read, f, today, &ends).await? {
            // A term due within 30 days is also due within 60 and 90.
            for bucket in buckets.iter_mut().skip(total.window) {
                bucket.contracts += total.terms;
                if let Some(minor) = total.value_minor {
                    bucket.value =
                        money_totals(bucket.value.iter().chain([&Money::new(minor, total.currency.clone())]));
                }
            }
        }
    } else {
        let upcoming = scoped_rows(db, store::due_terms(&db.read, f, today, ends[2]).await?, reader).await?;
        for bucket in &mut buckets {
            let due: Vec<&CalendarRow> = upcoming
                .iter()
                .filter(|r| (0..=bucket.within_days).contains(&(r.key_date - today).num_days()))
                .collect();
            bucket.contracts = due.len() as i64;
            bucket.value = money_totals(due.iter().filter_map(|r| r.value.as_ref()));
        }
    }
    for bucket in &mut buckets {
        bucket.value.sort_by(|a, b| a.currency.cmp(&b.currency));
    }
    Ok(buckets)
}

/// Every event of one day, a page at a time, in the order the calendar's day shows its first few.
pub async fn day(db: &Db, clock: &dyn Clock, actor: &Actor, p: &CalendarDayQuery) -> AppResult<Page<CalendarEvent>> {
    let f = calendar_filter(actor, p.vendor_id, p.department_id, p.cost_centre_id, p.owner_id)?;
    let mut errors = Vec::new();
    limits::check_date(&mut errors, "date", Some(p.date));
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let (page, per_page) = paging(p.page, p.per_page)?;
    let today = org::today(db, clock).await?;
    let total = store::day_counts(&db.read, db.backend, &f, p.date, p.date).await?.iter().map(|c| c.count).sum();
    // The page's events are among the first `page * per_page` of each kind.
    let skip = (page - 1) * per_page;
    let entries = store::day_events(&db.read, db.backend, &f, p.date, p.date, skip + per_page).await?;
    let entries = in_day_order(entries, skip as usize, per_page as usize);
    let entries = scoped_rows(db, entries, &Reader::user(&actor.user)).await?;
    let items = entries.iter().map(|e| event(&e.row, e.kind, e.date, today)).collect();
    Ok(Page { items, total, page, per_page })
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
