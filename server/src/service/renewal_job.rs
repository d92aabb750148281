//! The daily renewal job: renews auto-renewing terms that ended, raises the alert stage due today for every
//! contract, and queues the e-mail. Safe to run by several instances at once: every write it makes is claimed
//! by a unique key (term number, alert stage) in the same transaction, so the loser of a race writes nothing.

use chrono::{DateTime, Days, NaiveDate, Utc};
use seatwise_types::Decision;

use crate::clock::Clock;
use crate::db::alerts::{self as alerts, NewAlert};
use crate::db::contracts::{self as store, JobTerm, NewTerm};
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::{Db, Tx};
use crate::domain::access;
use crate::domain::alert_mail::{self, AlertMail, Outbox};
use crate::domain::limits;
use crate::domain::renewals::{self as rules, DueAlert, Org, TermFacts};
use crate::error::AppResult;
use crate::service::contracts;
use crate::service::ledger::{self, Change, Pending};

/// Alerts raised per transaction, at most.
const ALERTS_PER_TRANSACTION: usize = 200;

/// A batch is committed once its transaction has been open this long, whatever its size: the daily run holds the
/// write lock in short turns, so a person's write waits at most about this long behind it (about 5 ms an alert on
/// the 1,000,000-seat bench database, where 200 to a batch held writes for a second; BENCHMARKS.md).
const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(40);

/// One of the daily run's turns at the write lock: it takes items while it is younger than `BATCH_TIME` and has
/// fewer than `most`, and always at least one, so the run moves on however slow one item is.
struct Turn {
    opened: std::time::Instant,
    taken: usize,
    most: usize,
}

impl Turn {
    fn new(most: usize) -> Self {
        Self { opened: std::time::Instant::now(), taken: 0, most }
    }

    fn take(&mut self) -> bool {
        let more = self.taken == 0 || (self.taken < self.most && self.opened.elapsed() < BATCH_TIME);
        self.taken += usize::from(more);
        more
    }
}

/// The most renewals one contract can need to catch up: monthly terms across the whole accepted date range. A
/// contract that would need more holds dates from before the range was enforced and is skipped.
const MAX_RENEWALS: usize = 12 * 300 + 1;

/// The name system changes carry in the ledger.
pub const ACTOR: &str = "seatwise:renewals";

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    pub terms_checked: usize,
    pub renewed: usize,
    pub alerts: usize,
    pub mails: usize,
}

/// Run the job for one organisation day; mail is queued only with an `outbox`.
pub async fn run_day(
    db: &Db,
    outbox: Option<Outbox<'_>>,
    org: &Org,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<RunSummary> {
    let summary = check(db, outbox, org, today, now, None).await?;
    // The pools to bring up to their running terms are found without the write lock, then synced a few contracts
    // to a transaction (each contract's pools and ledger entries together), as the alerts are.
    let mut conn = db.read.acquire().await?;
    let stale = store::out_of_sync(&mut conn, today).await?;
    drop(conn);
    let mut stale = stale.into_iter().peekable();
    while stale.peek().is_some() {
        let mut tx = db.begin().await?;
        let (mut turn, mut synced) = (Turn::new(usize::MAX), Vec::new());
        while let Some(id) = stale.next_if(|_| turn.take()) {
            synced.extend(store::sync_running_terms(&mut tx, today, Some(id)).await?);
        }
        ledger::record_many_and_commit(tx, now, ACTOR, contracts::synced_entries(&synced)?).await?;
    }
    Ok(summary)
}

/// Raise at once what contracts just recorded, imported or given new dates have due today (a cancel-by already
/// inside a stage's window, or passed), as the daily job would: `only` these, or every contract. The contracts are
/// stored already, so a failure here is logged and left to the next daily run, not returned.
pub async fn raise_due_now(db: &Db, clock: &dyn Clock, outbox: Option<Outbox<'_>>, only: Option<&[i64]>) {
    let now = clock.now();
    let raised = match crate::service::org::load(db).await {
        Ok(org) => check(db, outbox, &org, org.today(now), now, only).await,
        Err(e) => Err(e),
    };
    if let Err(e) = raised {
        tracing::warn!(error = %crate::domain::escape::Escaped(&e), "alerts due for new contract dates are left to the daily run");
    }
}

async fn check(
    db: &Db,
    outbox: Option<Outbox<'_>>,
    org: &Org,
    today: NaiveDate,
    now: DateTime<Utc>,
    only: Option<&[i64]>,
) -> AppResult<RunSummary> {
    let furthest = org.stages.first().copied().unwrap_or(90).max(0) as u64;
    let horizon = today.checked_add_days(Days::new(furthest)).unwrap_or(today);
    let terms = store::job_terms(&db.read, today, horizon, only).await?;
    let mut summary = RunSummary { terms_checked: terms.len(), ..Default::default() };
    let mut due_alerts = Vec::new();
    for t in terms {
        // Dates stored before the accepted range was enforced: skip the contract rather than stop the job.
        if !limits::date_in_range(t.end) || !limits::date_in_range(t.anchor) {
            tracing::warn!(contract_id = t.contract_id, term_id = t.term_id, end = %t.end, anchor = %t.anchor,
                "renewal job skips a contract whose dates lie outside the accepted range");
            continue;
        }
        let Some(current) = renew_tacitly(db, t, today, now, &mut summary).await? else {
            continue;
        };
        let facts = TermFacts {
            contract_id: current.contract_id,
            term_id: current.term_id,
            auto_renew: current.auto_renew,
            notice_days: current.notice_days,
            term_months: current.term_months,
            anchor: current.anchor,
            end: current.end,
            created_on: org.today(current.created_at),
            last_stage: current.last_stage,
            last_review: current.last_review,
            missed_raised: current.missed_raised,
        };
        if let Some(due) = rules::due_alert(&facts, today, org) {
            due_alerts.push((facts, due));
        }
    }
    let raising = Raising { db, outbox, today, now };
    // Alerts are raised in batches: each alert with its recipients, mail and ledger entry stays all-or-nothing
    // with its batch, and a catch-up day with thousands of alerts does not pay one commit per alert.
    let mut due_alerts = due_alerts.iter().peekable();
    while due_alerts.peek().is_some() {
        let mut tx = db.begin().await?;
        let (mut turn, mut entries) = (Turn::new(ALERTS_PER_TRANSACTION), Vec::new());
        while let Some((facts, due)) = due_alerts.next_if(|_| turn.take()) {
            if let Some(mails) = raise(&raising, &mut tx, facts, due, &mut entries).await? {
                summary.alerts += 1;
                summary.mails += mails;
            }
        }
        // One chain extension for the batch: the same entries as recording them one by one, fewer round trips.
        ledger::record_many_and_commit(tx, now, ACTOR, entries).await?;
    }
    Ok(summary)
}

/// Renew an auto-renewing term that ended without a decision, as often as needed to reach today (a monthly
/// subscription after a long outage renews several times), at most `MAX_RENEWALS` times. `None` when another
/// instance got there first or the contract cannot be renewed within the accepted dates.
async fn renew_tacitly(
    db: &Db,
    mut t: JobTerm,
    today: NaiveDate,
    now: DateTime<Utc>,
    summary: &mut RunSummary,
) -> AppResult<Option<JobTerm>> {
    // All of one contract's catch-up renewals share a transaction: a contract years behind (a monthly subscription
    // recorded with a 1990 start) costs one commit, not one per missed term.
    let contract_id = t.contract_id;
    let mut tx = db.begin().await?;
    let mut renewed = 0;
    let mut current = None;
    for _ in 0..MAX_RENEWALS {
        if !rules::renews_tacitly(t.auto_renew, None, t.end, today) {
            current = Some(t);
            break;
        }
        let Some((start, end)) = rules::next_term(t.anchor, t.term_months, t.end) else {
            tracing::warn!(contract_id = t.contract_id, term_id = t.term_id, end = %t.end,
                "renewal job skips a contract whose next term lies outside the accepted date range");
            break;
        };
        let (_, key_date) = rules::key_date(t.auto_renew, end, t.notice_days);
        let next = NewTerm {
            contract_id: t.contract_id,
            seq: t.seq + 1,
            start,
            end,
            cancel_by: rules::cancel_by(end, t.notice_days),
            key_date,
            price_minor: t.renewal_price_minor.or(t.price_minor),
            seats: t.seats,
            tier: t.tier.clone(),
        };
        if !store::decide_term(&mut tx, t.term_id, Decision::AutoRenewed, None, ACTOR, now).await? {
            return Ok(None);
        }
        let Some(term_id) = store::insert_term(&mut tx, &next, now).await? else {
            return Ok(None);
        };
        let record = serde_json::json!({"contract_id": t.contract_id, "term_id": term_id, "seq": next.seq,
            "start_date": start, "end_date": end, "price_minor": next.price_minor, "previous_term_id": t.term_id,
            "decision": Decision::AutoRenewed});
        ledger::record(
            &mut tx,
            now,
            ACTOR,
            Change::created("contract.term.create", "contract", Some(t.contract_id), &record),
        )
        .await?;
        renewed += 1;
        t = JobTerm { term_id, seq: next.seq, start, end, price_minor: next.price_minor, last_stage: None, ..t };
    }
    tx.commit().await?;
    summary.renewed += renewed;
    if current.is_none() && renewed == MAX_RENEWALS {
        tracing::warn!(contract_id, "renewal job stopped renewing a contract after {MAX_RENEWALS} terms");
    }
    Ok(current)
}

/// What raising the day's alerts reads from: the database, the outbox (mail is queued only with one), the day.
#[derive(Clone, Copy)]
struct Raising<'a> {
    db: &'a Db,
    outbox: Option<Outbox<'a>>,
    today: NaiveDate,
    now: DateTime<Utc>,
}

/// Raise one alert with its recipients and e-mail in the caller's transaction, adding its ledger entry to
/// `entries`. `None` when it was raised before (by this or another instance).
async fn raise(
    run: &Raising<'_>,
    tx: &mut Tx,
    f: &TermFacts,
    due: &DueAlert,
    entries: &mut Vec<Pending>,
) -> AppResult<Option<usize>> {
    let Raising { db, outbox, today, now } = *run;
    let assigned_to = alerts::current_assignee(tx, f.contract_id).await?;
    let new = NewAlert {
        key: &due.key,
        contract_id: f.contract_id,
        term_id: f.term_id,
        kind: due.kind,
        stage_days: due.stage_days,
        due_date: due.due_date,
        fired_on: today,
        assigned_to,
        missed: due.missed,
    };
    let Some(alert_id) = alerts::insert(tx, &new, now).await? else {
        return Ok(None);
    };
    alerts::supersede_others(tx, f.contract_id, alert_id).await?;
    let recipients = store::recipients(tx, f.contract_id).await?;
    let covered = store::covered_pools(&mut **tx, &[f.contract_id]).await?;
    // Each recipient as they are now: someone who sees none of the contract's pools is not told at all, the others
    // are told about the pools they may see and the value of those only.
    let mut told = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let reader = crate::service::alerts::recipient_reader(db, &recipient.email, recipient.user_id).await?;
        let (visible, _) = contracts::view(&reader, &covered, f.contract_id);
        if access::sees_contract(&reader, visible.len()) {
            told.push((recipient, reader));
        }
    }
    let recipients: Vec<alerts::Recipient> = told.iter().map(|(r, _)| r.clone()).collect();
    alerts::add_recipients(tx, alert_id, &recipients).await?;
    let mut mails = 0;
    if let (Some(outbox), false) = (outbox, told.is_empty()) {
        if let Some(c) = store::get(&mut **tx, f.contract_id).await? {
            for (alerts::Recipient { email, .. }, reader) in &told {
                let contract = contracts::scoped_api(c.clone(), &covered, reader, today);
                let pool_names: Vec<String> = contract.pools.iter().map(|p| p.name.clone()).collect();
                let message = alert_mail::render(
                    &AlertMail {
                        alert_id,
                        contract_id: contract.id,
                        title: &contract.title,
                        vendor: &contract.vendor.name,
                        number: &contract.number,
                        kind: due.kind,
                        stage_days: due.stage_days,
                        missed: due.missed,
                        due_date: due.due_date,
                        end_date: contract.term.end_date,
                        auto_renew: contract.auto_renew,
                        value: contract.value.as_ref(),
                        pools: &pool_names,
                        hidden_pools: contract.hidden_pools,
                    },
                    outbox.public_url,
                );
                let mail = Mail {
                    alert_id: Some(alert_id),
                    recipient: email,
                    subject: &message.subject,
                    text: &message.text,
                    html: &message.html,
                };
                mail_store::queue_mail(tx, &mail, now).await?;
                mails += 1;
            }
        }
    }
    let emails: Vec<&str> = recipients.iter().map(|r| r.email.as_str()).collect();
    let record = serde_json::json!({"alert_id": alert_id, "contract_id": f.contract_id, "term_id": f.term_id,
        "kind": due.kind, "stage_days": due.stage_days, "missed": due.missed, "due_date": due.due_date, "fired_on": today,
        "recipients": emails});
    entries.push(Pending::of(Change::created("alert.raise", "contract", Some(f.contract_id), &record))?);
    Ok(Some(mails))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_takes_at_least_one_item_and_at_most_its_share() {
        let mut turn = Turn::new(2);
        assert_eq!((turn.take(), turn.take(), turn.take()), (true, true, false));
        // A turn already past its time still takes its first item, so a slow item cannot stop the run.
        let mut late = Turn { opened: std::time::Instant::now() - BATCH_TIME * 2, taken: 0, most: usize::MAX };
        assert_eq!((late.take(), late.take()), (true, false));
    }
}
