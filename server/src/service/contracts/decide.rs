//! A renewal decision on a contract: checked, recorded, and its seat changes sent to the approval queue.

use chrono::{DateTime, Utc};
use seatwise_types::{ChangeRequestInput, ContractDetail, Decision, DecisionInput, FieldError, Money, OperationInput};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::alerts::{self as alert_store, AlertFilter, Inbox};
use crate::db::contracts::{self as store, NewTerm, StoredContract};
use crate::db::Db;
use crate::domain::access::{self};
use crate::domain::alert_mail::Outbox;
use crate::domain::limits;
use crate::domain::renewal_seats::{self, SeatChanges};
use crate::domain::renewals::{self as rules};
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::{change_requests, org};

use super::*;

/// Each pool's right-sized seat count for the next term, from the finance figures (`domain::finance`).
pub(super) async fn right_size(
    db: &sqlx::AnyPool,
    clock: &dyn Clock,
    pools: &mut [seatwise_types::PoolUsage],
) -> AppResult<()> {
    use crate::db::finance::{self as finance_store, FinanceFilter};
    let ids: Vec<i64> = pools.iter().map(|u| u.pool.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let filter = FinanceFilter { pool_ids: Some(ids), ..Default::default() };
    let since = clock.now() - chrono::Duration::days(crate::domain::finance::ACTIVE_DAYS);
    let facts = finance_store::pools(&mut *db.acquire().await?, &filter, since).await?;
    let buffer = crate::service::org::load_from(db).await?.right_size_buffer_percent;
    for u in pools.iter_mut() {
        if let Some(f) = facts.iter().find(|f| f.facts.id == u.pool.id) {
            u.right_size_seats = f.facts.right_size(buffer);
            u.right_size_saving_annual = u
                .right_size_seats
                .map(|_| Money::new(f.facts.right_size_saving_minor(buffer), f.facts.currency.clone()));
        }
    }
    Ok(())
}

pub(super) fn check_decision(c: &StoredContract, input: &DecisionInput) -> AppResult<()> {
    let mut errors = Vec::new();
    if input.decision == Decision::AutoRenewed {
        errors.push(FieldError::new("decision", "is recorded by Seatwise itself; choose renew instead"));
    }
    if input.decision == Decision::LetLapse && c.auto_renew {
        errors.push(FieldError::new("decision", "an auto-renewing contract renews unless cancelled; choose cancel"));
    }
    if input.comment.chars().count() > 2000 {
        errors.push(FieldError::new("comment", "must be at most 2000 characters"));
    }
    limits::check_text(&mut errors, "comment", Some(&input.comment));
    if input.decision == Decision::RenewWithChanges
        && input.pool_seats.is_empty()
        && !renewal_seats::names_other_change(input)
    {
        errors.push(FieldError::new("seats", "say what changes: seats, tier or price"));
    }
    if input.decision != Decision::RenewWithChanges && !input.pool_seats.is_empty() {
        errors.push(FieldError::new("pool_seats", "seats change only with the decision renew with changes"));
    }
    if input.seats.is_some_and(|s| !(0..=10_000_000).contains(&s)) {
        errors.push(FieldError::new("seats", "must be 0 to 10,000,000"));
    }
    if input.tier.as_deref().is_some_and(|t| t.chars().count() > 100) {
        errors.push(FieldError::new("tier", "must be at most 100 characters"));
    }
    limits::check_line(&mut errors, "tier", input.tier.as_deref().map(str::trim));
    if let Some(p) = &input.price {
        limits::check_amount(&mut errors, "price.amount_minor", p.amount_minor);
        if !p.currency.eq_ignore_ascii_case(&c.currency) {
            errors.push(FieldError::new("price.currency", format!("must be the contract's currency, {}", c.currency)));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// The change request that carries a renewal's seat changes to the covered pools, applied by the server when
/// the next term starts (`starts`, in the organisation's time zone) once approved.
pub(super) fn seat_change_request(
    c: &StoredContract,
    changes: &SeatChanges,
    comment: &str,
    starts: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ChangeRequestInput {
    let operations = changes
        .pools
        .iter()
        .map(|&(pool, seats)| OperationInput {
            op: Some("set_seats".into()),
            pool_id: Some(pool),
            seats_purchased: Some(seats),
            ..Default::default()
        })
        .collect();
    let title: String = format!("Seats for the next term of {} {}", c.number, c.title).chars().take(200).collect();
    let decided = "Decided at renewal: renew with changes.";
    let reason = if comment.is_empty() { decided.to_string() } else { format!("{decided} {comment}") };
    ChangeRequestInput { title, reason, operations, execute_at: starts.filter(|at| *at > now) }
}

/// Record a renewal decision on the contract's current term. Renewing creates the next term (the previous one
/// keeps its dates, price, seats and decision); final decisions close the contract's open alerts. `alert_id` is
/// the alert the decision was made from, if any.
pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
    alert_id: Option<i64>,
) -> AppResult<ContractDetail> {
    let (c, places) = readable(db, actor, id).await?;
    access::may_decide_contract(&actor.user, &places)?;
    check_decision(&c, input)?;
    if c.term.decision.is_some() {
        return Err(AppError::Conflict(format!(
            "The current term already has a decision ({}); renewals start from the next term.",
            c.term.decision.map_or("", |d| d.label())
        )));
    }
    let now = clock.now();
    let organisation = org::load(db).await?;
    let today = organisation.today(now);
    let comment = input.comment.trim();
    let by = actor.ledger_name().to_string();
    let mut tx = db.begin().await?;
    if input.decision.is_final() {
        if !store::decide_term(&mut tx, c.term.id, input.decision, Some(comment), &by, now).await? {
            return Err(AppError::Conflict("Someone else decided on this term a moment ago.".into()));
        }
        if matches!(input.decision, Decision::Renew | Decision::RenewWithChanges) {
            let (start, end) = rules::next_term(c.cycle_anchor, c.term_months, c.term.end_date).ok_or_else(|| {
                AppError::field(
                    "decision",
                    &format!("the next term would fall outside the accepted dates ({})", limits::date_message()),
                )
            })?;
            let (_, key_date) = rules::key_date(c.auto_renew, end, c.notice_days);
            let seat_changes = if input.decision == Decision::RenewWithChanges {
                let covered = store::covered_seats(&mut tx, id).await?;
                let changes = renewal_seats::seat_changes(&covered, input.seats, &input.pool_seats)
                    .map_err(AppError::validation)?;
                if changes.pools.is_empty() && !renewal_seats::names_other_change(input) {
                    return Err(AppError::field("pool_seats", "these are the pools' seats today: say what changes"));
                }
                changes
            } else {
                SeatChanges::default()
            };
            let tier = input.tier.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
            let next = NewTerm {
                contract_id: id,
                seq: c.term.seq + 1,
                start,
                end,
                cancel_by: rules::cancel_by(end, c.notice_days),
                key_date,
                price_minor: input.price.as_ref().map(|p| p.amount_minor).or(c.renewal_price_minor).or(c
                    .term
                    .price
                    .as_ref()
                    .map(|p| p.amount_minor)),
                seats: seat_changes.term_seats.or(input.seats).or(c.term.seats),
                tier: tier.or(c.term.tier.clone()),
            };
            let term_id = store::insert_term(&mut tx, &next, now)
                .await?
                .ok_or_else(|| AppError::Conflict("The next term was recorded a moment ago.".into()))?;
            let change_request = if seat_changes.pools.is_empty() {
                None
            } else {
                let request = seat_change_request(&c, &seat_changes, comment, organisation.start_of(start), now);
                let cr = change_requests::draft_in(
                    &mut tx,
                    outbox,
                    actor,
                    &request,
                    seatwise_types::ChangeOrigin::Renewal,
                    None,
                    now,
                )
                .await?;
                store::set_change_request(&mut tx, term_id, cr).await?;
                Some(cr)
            };
            let record = serde_json::json!({"contract_id": id, "term_id": term_id, "seq": next.seq,
                "start_date": start, "end_date": end, "price_minor": next.price_minor, "seats": next.seats,
                "tier": next.tier, "change_request_id": change_request});
            ledger::record(&mut tx, now, &by, Change::created("contract.term.create", "contract", Some(id), &record))
                .await?;
        }
    }
    let decision = serde_json::json!({"contract_id": id, "term_id": c.term.id, "decision": input.decision,
        "comment": comment, "seats": input.seats, "tier": input.tier, "price": input.price, "alert_id": alert_id});
    // Close the contract's open alerts; renegotiating closes only the alert it was made from.
    let filter = AlertFilter { contract_id: Some(id), inbox: Inbox::NeedsAction, today, ..Default::default() };
    let open = alert_store::list(&db.read, &filter, 1, 500).await?.items;
    let mut closing: Vec<i64> = if input.decision.is_final() { open.iter().map(|a| a.id).collect() } else { vec![] };
    closing.extend(alert_id);
    closing.sort_unstable();
    closing.dedup();
    for a in closing {
        // The alert decided from must still be active (the daily job may have superseded it); others that moved
        // meanwhile are simply no longer open.
        if !alert_store::decide(&mut tx, a, input.decision, comment, &by, now).await? && Some(a) == alert_id {
            return Err(AppError::Conflict("This alert was decided or superseded a moment ago; reload it.".into()));
        }
    }
    if input.decision.is_final() {
        alert_store::supersede_others(&mut tx, id, alert_id.unwrap_or(0)).await?;
    }
    ledger::record(&mut tx, now, &by, Change::created("contract.decision", "contract", Some(id), &decision)).await?;
    let synced = synced_entries(&store::sync_running_terms(&mut tx, today, Some(id)).await?)?;
    ledger::record_many_and_commit(tx, now, &by, synced).await?;
    detail(db, clock, actor, id).await
}
