//! Checking a request's rows as its requester would apply them now, and the helpers every step shares.

use seatwise_types::limits::{TEXT_CHARS, TITLE_CHARS};
use std::collections::{BTreeSet, HashMap, HashSet};

use seatwise_types::{ApprovalPolicy, ChangeStatus, FieldError, OperationInput, PersonStatus, User};

use crate::auth::Actor;
use crate::db::change_requests::{self as store, StoredChange};
use crate::db::seats as seat_store;
use crate::db::Conn;
use crate::domain::change_request::{self as rules, Checked, Facts, Operation, PersonFacts};
use crate::domain::change_rollback::{self as rollback, Snapshot};
use crate::domain::{access, approval_policy, limits};
use crate::error::{AppError, AppResult};

use super::*;

/// The most operations one request holds, whatever the policy says.
pub const MAX_OPERATIONS: usize = approval_policy::MAX_OPERATIONS as usize;

/// What is stored about everything `ops` name, as `requester` sees it: pools outside their read scope do not
/// exist for them, not even by name.
pub(super) async fn facts(conn: &mut Conn, requester: &User, ops: &[(u64, Operation)]) -> AppResult<Facts> {
    let person_ids: BTreeSet<i64> = ops.iter().flat_map(|(_, op)| op.people()).collect();
    let (pool_ids, seats, retiring) = rollback::touched(ops);
    let mut facts = Facts { requester_person: access::may_ask_for_seat(requester).ok(), ..Facts::default() };
    // Pools whose seat the requester asks for themselves: known to them even outside their read scope.
    let asked: HashSet<i64> = ops
        .iter()
        .filter_map(|(_, op)| match op {
            Operation::Assign { pool_id, person_id } if facts.requester_person == Some(*person_id) => Some(*pool_id),
            _ => None,
        })
        .collect();
    let readable = access::pool_read_scope(requester);
    for (place, mut pool) in store::facts::pools(conn, &pool_ids).await? {
        pool.may_ask = asked.contains(&pool.id);
        if readable.covers(place) || pool.may_ask {
            pool.may_edit = access::may_edit_pool(requester, place).is_ok();
            facts.pools.insert(pool.id, pool);
        }
    }
    for (id, name, status) in store::facts::people(conn, &person_ids.into_iter().collect::<Vec<_>>()).await? {
        facts.people.insert(id, PersonFacts { id, name, terminated: status == PersonStatus::Terminated });
    }
    facts.seats = seat_store::held(conn, &seats).await?;
    for (pool, person) in seat_store::holders(conn, &retiring).await? {
        facts.holders.entry(pool).or_default().push(person);
    }
    Ok(facts)
}

/// Parse and check `operations` as `requester` would apply them now, reading through `conn`; `restored` are the
/// annual costs a rollback puts back.
pub(super) async fn check(
    conn: &mut Conn,
    requester: &User,
    operations: &[OperationInput],
    restored: HashMap<i64, i64>,
    max_operations: usize,
) -> AppResult<Checked> {
    let (ops, mut errors) = rules::parse(operations);
    let mut facts = facts(conn, requester, &ops).await?;
    facts.restored_costs = restored;
    let mut checked = rules::check(&ops, &facts, Some(max_operations));
    errors.append(&mut checked.errors);
    errors.sort_by_key(|e| (e.row, e.path.clone()));
    checked.errors = errors;
    Ok(checked)
}

/// What the request a rollback undoes found before it changed anything (its stages' snapshots as one); nothing
/// for any other request.
pub(super) async fn before_rolled_back(conn: &mut Conn, rollback_of: Option<i64>) -> AppResult<Snapshot> {
    match rollback_of {
        Some(original) => Ok(Snapshot::merged(store::stages::snapshots(conn, original).await?.0)),
        None => Ok(Snapshot::default()),
    }
}

pub(super) fn policy_limit(policy: &ApprovalPolicy) -> usize {
    usize::try_from(policy.max_operations).unwrap_or(MAX_OPERATIONS).min(MAX_OPERATIONS)
}

/// The request's title and reason, trimmed; `count` operations may come with them.
pub(super) fn check_heading(title: &str, reason: &str, count: usize, count_path: &str) -> AppResult<(String, String)> {
    let title = title.trim().to_string();
    let reason = reason.trim().to_string();
    let mut errors = Vec::new();
    if title.is_empty() || title.chars().count() > TITLE_CHARS {
        errors.push(FieldError::new("title", format!("must be 1 to {TITLE_CHARS} characters")));
    }
    limits::check_line(&mut errors, "title", Some(&title));
    limits::check_chars(&mut errors, "reason", &reason, TEXT_CHARS);
    limits::check_text(&mut errors, "reason", Some(&reason));
    if count > MAX_OPERATIONS {
        errors.push(FieldError::new(count_path, format!("a request holds at most {MAX_OPERATIONS} operations")));
    }
    if errors.is_empty() {
        Ok((title, reason))
    } else {
        Err(AppError::validation(errors))
    }
}

/// The request, locked for this transaction and visible to the actor.
pub(super) async fn locked(conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<StoredChange> {
    let status = store::lock(conn, id).await?;
    visible(actor, if status.is_some() { store::get(&mut *conn, id).await? } else { None })
}

/// 409 unless the request is at one of the `expected` statuses (asked after who may act: a caller who may not
/// learns nothing of where it stands).
pub(super) fn expect_status(stored: &StoredChange, expected: &[ChangeStatus]) -> AppResult<()> {
    if expected.contains(&stored.status) {
        return Ok(());
    }
    let allowed: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
    Err(AppError::Conflict(format!(
        "This change request is {}; this needs it to be {}.",
        stored.status.as_str(),
        allowed.join(" or ")
    )))
}
