//! Change requests: drafted with every row checked and a preview, submitted, approved by someone other than the
//! requester (and by finance above the policy's thresholds), applied in stages (a pilot, then the rest), each
//! stage in one transaction with a snapshot of what it changes, and rolled back by a request of its own.
//!
//! Rows are checked with the requester's permissions whoever acts (an approver applying a request changes what
//! the requester may change, nothing more).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use seatwise_types::{
    ApplyChangeInput, ApprovalPolicy, AttemptOutcome, ChangeActions, ChangeAttempt, ChangeNames, ChangeOrigin,
    ChangeRequest, ChangeRequestInput, ChangeRequestQuery, ChangeRequestSummary, ChangeStatus, CommentInput,
    FieldError, JobProgress, OperationInput, Page, PersonContext, PersonStatus, Ref, Role, RollbackInput, User,
    WaitingFor,
};

use crate::auth::{Actor, Via};
use crate::clock::Clock;
use crate::db::attempts::{self, Work};
use crate::db::change_requests::stages::NewStage;
use crate::db::change_requests::{self as store, ChangeFilter, Content, NewChange, Step, StoredChange};
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::progress::{self as progress_store, Job};
use crate::db::seats as seat_store;
use crate::db::{pools, users, Conn, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::change_csv::{self as csv, CsvRow, PersonKey, PoolKey};
use crate::domain::change_mail::{self, ChangeMail, Event};
use crate::domain::change_request::{self as rules, Checked, Facts, Operation, PersonFacts};
use crate::domain::change_rollback::{self as rollback, Snapshot};
use crate::domain::seat_snapshot::SeatBefore;
use crate::domain::{access, apply_attempt, approval_policy, limits, seat_ask};
use crate::error::{AppError, AppResult};
use crate::service::attempt::Attempt;
use crate::service::ledger::{self, Change, Pending};
use crate::service::paging;
use crate::service::progress::Progress;

/// The most operations one request holds, whatever the policy says.
pub const MAX_OPERATIONS: usize = approval_policy::MAX_OPERATIONS as usize;

/// What is stored about everything `ops` name, as `requester` sees it: pools outside their read scope do not
/// exist for them, not even by name.
async fn facts(conn: &mut Conn, requester: &User, ops: &[(u64, Operation)]) -> AppResult<Facts> {
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
async fn check(
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
async fn before_rolled_back(conn: &mut Conn, rollback_of: Option<i64>) -> AppResult<Snapshot> {
    match rollback_of {
        Some(original) => Ok(Snapshot::merged(store::stages::snapshots(conn, original).await?.0)),
        None => Ok(Snapshot::default()),
    }
}

fn policy_limit(policy: &ApprovalPolicy) -> usize {
    usize::try_from(policy.max_operations).unwrap_or(MAX_OPERATIONS).min(MAX_OPERATIONS)
}

/// The request's title and reason, trimmed; `count` operations may come with them.
fn check_heading(title: &str, reason: &str, count: usize, count_path: &str) -> AppResult<(String, String)> {
    let title = title.trim().to_string();
    let reason = reason.trim().to_string();
    let mut errors = Vec::new();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    limits::check_line(&mut errors, "title", Some(&title));
    if reason.chars().count() > 4000 {
        errors.push(FieldError::new("reason", "must be at most 4000 characters"));
    }
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

/// A draft, stored with every row's errors and the preview; nothing is queued until it is submitted without any.
pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: &ChangeRequestInput) -> AppResult<ChangeRequest> {
    let mut tx = db.begin().await?;
    let (id, _) = draft(&mut tx, actor, input, ChangeOrigin::Json, None, clock.now()).await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}

/// A request another feature drafts in its own transaction (a renewal's seat changes; reclamation's batches):
/// checked like any other and submitted at once when no row is in error, or else left a draft, with its errors,
/// for its requester to fix. `from` says which feature; it hears what became of the request. Returns its id.
pub async fn draft_in(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    input: &ChangeRequestInput,
    from: ChangeOrigin,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let (id, clean) = draft(tx, actor, input, from, author_id, now).await?;
    if clean {
        let draft = store::get(&mut *tx, id)
            .await?
            .ok_or_else(|| AppError::internal(format!("change request {id} vanished in its transaction")))?;
        submit_locked(tx, outbox, actor, draft, now).await?;
    }
    Ok(id)
}

/// Someone's ask for a seat of `pool_id` for themselves (My seats): one row, checked as its requester would
/// apply it and submitted at once; the approvers and the pool's owners are told. With the row in error (a retired
/// pool, no free seat) nothing is stored and the errors are returned, named by the field asked (`pool_id`).
/// Returns its id.
pub async fn ask_in(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    (pool_id, pool_name): (i64, &str),
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let person_id = access::may_ask_for_seat(&actor.user)?;
    let operations = vec![seat_ask::operation(pool_id, person_id)];
    let title = seat_ask::title(pool_name, &actor.user.name);
    let policy = store::policy(&mut *tx).await?;
    let checked = check(tx, &actor.user, &operations, HashMap::new(), policy_limit(&policy)).await?;
    if !checked.errors.is_empty() {
        let errors = checked.errors.into_iter().map(|e| FieldError::new("pool_id", e.message)).collect();
        return Err(AppError::validation(errors));
    }
    let content = Content { operations: &operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason,
        requested_by: actor.user.id,
        rollback_of: None,
        execute_at: None,
        author_id: None,
        origin: ChangeOrigin::MySeats,
    };
    let id = store_draft(tx, actor, &new, &content, now).await?;
    let draft = store::get(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {id} vanished in its transaction")))?;
    submit_locked(tx, outbox, actor, draft.clone(), now).await?;
    let owners = pool_owners(tx, pool_id).await?;
    notify(tx, outbox, &draft, Event::Asked { pool_id, pool: pool_name, reason }, &owners, now).await?;
    Ok(id)
}

/// The addresses of the license owners who run this pool (as the access policy says), for an ask's notice.
async fn pool_owners(tx: &mut Conn, pool_id: i64) -> AppResult<Vec<String>> {
    let Some((place, _)) = store::facts::pools(tx, &[pool_id]).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let mut to = Vec::new();
    for (id, email) in users::with_roles(tx, &[Role::LicenseOwner]).await? {
        if users::load_in(tx, id).await?.is_some_and(|u| access::may_edit_pool(&u, place).is_ok()) {
            to.push(email);
        }
    }
    Ok(to)
}

/// What became of a request, for the feature it came from.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    pub change_request_id: i64,
    pub origin: ChangeOrigin,
    pub who: &'a str,
    pub now: DateTime<Utc>,
}

/// A feature that drafts change requests from its own records hears through this when one of them is applied
/// (a stage of it) or rejected: reclamation closes the cases a batch carried. Change requests announce every
/// outcome here and call no feature themselves, so features may call change requests, never the reverse.
#[async_trait::async_trait]
pub trait Follower: Sync {
    async fn applied(&self, tx: &mut Conn, outcome: &Outcome<'_>) -> AppResult<()>;
    async fn rejected(&self, tx: &mut Conn, outcome: &Outcome<'_>) -> AppResult<()>;
}

/// Check and store a draft: its id, and whether no row is in error.
async fn draft(
    tx: &mut Conn,
    actor: &Actor,
    input: &ChangeRequestInput,
    from: ChangeOrigin,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<(i64, bool)> {
    access::may_request_changes(&actor.user)?;
    let (title, reason) = check_heading(&input.title, &input.reason, input.operations.len(), "operations")?;
    if let Some(e) = rules::check_execute_at(input.execute_at, now) {
        return Err(AppError::validation(vec![e]));
    }
    let policy = store::policy(&mut *tx).await?;
    let checked = check(tx, &actor.user, &input.operations, HashMap::new(), policy_limit(&policy)).await?;
    let content = Content { operations: &input.operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: actor.user.id,
        rollback_of: None,
        execute_at: input.execute_at,
        author_id,
        origin: from,
    };
    let id = store_draft(tx, actor, &new, &content, now).await?;
    Ok((id, checked.errors.is_empty()))
}

/// Store a draft and ledger its creation, with where it came from.
async fn store_draft(
    tx: &mut Conn,
    actor: &Actor,
    new: &NewChange<'_>,
    content: &Content<'_>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = store::insert(tx, new, content, now).await?;
    let record = serde_json::json!({"id": id, "title": new.title, "operations": content.operations.len(),
        "errors": content.errors.len(), "from": new.origin.as_str(), "rollback_of": new.rollback_of});
    let change = Change::created("change_request.create", "change_request", Some(id), &record);
    ledger::record(tx, now, actor.ledger_name(), change).await?;
    Ok(id)
}

/// Replace a request's title, reason and operations (its requester, before anything of it is applied). A
/// submitted or approved request changed this way is a draft again: it must be submitted and approved anew.
pub async fn update(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ChangeRequestInput,
) -> AppResult<ChangeRequest> {
    let (title, reason) = check_heading(&input.title, &input.reason, input.operations.len(), "operations")?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_edit_change_request(&actor.user, stored.requested_by.id)?;
    // A window left as it was is not checked again (it may have passed while the request waited).
    let moved = input.execute_at != stored.execute_at;
    if let Some(e) = rules::check_execute_at(input.execute_at.filter(|_| moved), now) {
        return Err(AppError::validation(vec![e]));
    }
    expect_status(&stored, &[ChangeStatus::Draft, ChangeStatus::Submitted, ChangeStatus::Approved])?;
    if stored.rollback_of.is_some() {
        return Err(AppError::Conflict(
            "A rollback request undoes exactly what its request did, so it cannot be edited; reject it and ask for \
             a new rollback instead."
                .into(),
        ));
    }
    let policy = store::policy(&mut *tx).await?;
    let checked = check(&mut tx, &actor.user, &input.operations, HashMap::new(), policy_limit(&policy)).await?;
    let content = Content { operations: &input.operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: stored.requested_by.id,
        rollback_of: None,
        execute_at: input.execute_at,
        author_id: stored.author_id,
        origin: stored.origin,
    };
    store::replace(&mut tx, id, &new, &content, now).await?;
    if stored.status != ChangeStatus::Draft {
        store::step(&mut tx, id, stored.status, Step::Reopen, now).await?;
    }
    let record = serde_json::json!({"title": title, "operations": input.operations.len(),
        "errors": checked.errors.len(), "was": stored.status.as_str()});
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::created("change_request.update", "change_request", Some(id), &record),
    )
    .await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}

fn visible(actor: &Actor, stored: Option<StoredChange>) -> AppResult<StoredChange> {
    let reader = access::change_request_reader(&actor.user)?;
    match stored {
        Some(s) if reader.sees(s.requested_by.id) => Ok(s),
        _ => Err(AppError::NotFound("change request")),
    }
}

/// Whether `user` may give the sign-off `s` waits for.
fn may_decide(user: &User, s: &StoredChange) -> AppResult<WaitingFor> {
    match s.waiting_for() {
        Some(WaitingFor::Approver) => {
            access::may_decide_change_request(user, s.requested_by.id, s.author_id)?;
            Ok(WaitingFor::Approver)
        }
        Some(WaitingFor::Finance) => {
            let approver = s.decided_by.as_ref().map_or(0, |r| r.id);
            access::may_give_finance_approval(user, s.requested_by.id, s.author_id, approver)?;
            Ok(WaitingFor::Finance)
        }
        None => {
            access::may_sign_off_changes(user)?;
            Err(AppError::Conflict(format!(
                "This change request is {}; only a submitted request can be approved or rejected.",
                s.status.as_str()
            )))
        }
    }
}

fn actions(user: &User, s: &StoredChange) -> ChangeActions {
    let mine = access::may_edit_change_request(user, s.requested_by.id).is_ok();
    let unapplied = matches!(s.status, ChangeStatus::Draft | ChangeStatus::Submitted | ChangeStatus::Approved);
    let rollback_pending = s.rolled_back_by.is_some();
    ChangeActions {
        edit: mine && unapplied && s.rollback_of.is_none(),
        submit: mine && s.status == ChangeStatus::Draft,
        decide: s.status == ChangeStatus::Submitted && may_decide(user, s).is_ok(),
        apply: matches!(s.status, ChangeStatus::Approved | ChangeStatus::Piloted)
            && access::may_apply_change_request(user, s.requested_by.id).is_ok(),
        rollback: matches!(s.status, ChangeStatus::Applied | ChangeStatus::Piloted)
            && !rollback_pending
            && access::may_roll_back_change_request(user, s.requested_by.id).is_ok(),
    }
}

/// Names for the people and pools `operations` name; pools outside the reader's scope stay unnamed.
async fn names(db: &Db, reader: &User, operations: &[OperationInput]) -> AppResult<ChangeNames> {
    let mut pool_ids = BTreeSet::new();
    for o in operations {
        pool_ids.extend([o.pool_id, o.from_pool_id, o.to_pool_id].into_iter().flatten());
    }
    let person_ids = rules::people_named(operations);
    let mut conn = db.read.acquire().await?;
    let readable = access::pool_read_scope(reader);
    let pools: Vec<Ref> = store::facts::pools(&mut conn, &pool_ids.into_iter().collect::<Vec<_>>())
        .await?
        .into_iter()
        .filter(|(place, _)| readable.covers(*place))
        .map(|(_, p)| Ref { id: p.id, name: p.name })
        .collect();
    let person_ids: Vec<i64> = person_ids.into_iter().collect();
    let named = store::facts::people(&mut conn, &person_ids).await?;
    let departments: HashMap<i64, Ref> =
        store::facts::departments_of_people(&mut conn, &person_ids).await?.into_iter().collect();
    let people_context = named
        .iter()
        .map(|(id, _, status)| PersonContext {
            id: *id,
            status: *status,
            department: departments.get(id).map(|d| d.name.clone()),
        })
        .collect();
    let people = named.into_iter().map(|(id, name, _)| Ref { id, name }).collect();
    // Each seat a row names, on the pools the reader may see.
    let shown: HashSet<i64> = pools.iter().map(|p: &Ref| p.id).collect();
    let mut seats: BTreeSet<(i64, i64)> = BTreeSet::new();
    for o in operations {
        for (pool, person) in [(o.pool_id, o.person_id), (o.pool_id, o.from_person_id), (o.from_pool_id, o.person_id)] {
            if let (Some(pool), Some(person)) = (pool, person) {
                if shown.contains(&pool) {
                    seats.insert((pool, person));
                }
            }
        }
    }
    let sign_ins = crate::db::reclamation::usage::sign_ins(&mut conn, &seats.into_iter().collect::<Vec<_>>()).await?;
    Ok(ChangeNames { people, pools, people_context, sign_ins })
}

/// A request's attempts, each with its stored end or, while it has none, running or cut off by its heartbeat.
async fn attempts_of(db: &Db, clock: &dyn Clock, id: i64) -> AppResult<Vec<ChangeAttempt>> {
    let rows = store::stages::attempts(&db.read, id).await?;
    let beat = if rows.iter().any(|a| a.outcome.is_none()) {
        progress_store::last_updates(&db.progress, Job::ChangeRequest, &[id]).await?.get(&id).copied()
    } else {
        None
    };
    let now = clock.now();
    Ok(rows
        .into_iter()
        .map(|a| ChangeAttempt {
            first_row: a.first_row,
            row_count: a.row_count,
            outcome: apply_attempt::outcome(a.outcome, apply_attempt::last_alive(a.started_at, beat), now),
            started_at: a.started_at,
            started_by: a.started_by,
            finished_at: a.finished_at,
            error: a.error,
        })
        .collect())
}

async fn shown(db: &Db, clock: &dyn Clock, actor: &Actor, s: StoredChange) -> AppResult<ChangeRequest> {
    let stages = store::stages::stages(&db.read, s.id, s.operations.len() as i64).await?;
    let attempts = attempts_of(db, clock, s.id).await?;
    let names = names(db, &actor.user, &s.operations).await?;
    let actions = actions(&actor.user, &s);
    let pilot_groups = if actions.apply && s.status == ChangeStatus::Approved && s.applied_count == 0 {
        let people: Vec<i64> = rules::people_named(&s.operations).into_iter().collect();
        let mut conn = db.read.acquire().await?;
        let department_of = store::facts::departments_of_people(&mut conn, &people).await?.into_iter().collect();
        rules::pilot_groups(&s.operations, &department_of)
    } else {
        Vec::new()
    };
    Ok(ChangeRequest {
        id: s.id,
        title: s.title.clone(),
        reason: s.reason.clone(),
        status: s.status,
        requested_by: s.requested_by.clone(),
        created_at: s.created_at,
        submitted_at: s.submitted_at,
        decided_by: s.decided_by.clone(),
        decided_at: s.decided_at,
        decision_comment: s.decision_comment.clone(),
        needs_finance: s.needs_finance,
        finance_decision: s.finance_decision.clone(),
        waiting_for: s.waiting_for(),
        expires_at: s.expires_at,
        execute_at: s.execute_at,
        window_missed: rules::window_missed(s.execute_at, s.finance_decision.as_ref().map(|f| f.at).or(s.decided_at)),
        applied_at: s.applied_at,
        applied_count: s.applied_count,
        stages,
        attempts,
        rollback_of: s.rollback_of,
        rollback_rows: s.rollback_rows.clone(),
        rolled_back_by: s.rolled_back_by,
        operations: s.operations,
        names,
        pilot_groups,
        errors: s.errors,
        preview: s.preview,
        can_decide: actions.decide,
        actions,
        version: s.version,
    })
}

pub async fn get(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    shown(db, clock, actor, stored).await
}

/// Newest first; license owners see their own requests.
pub async fn list(db: &Db, actor: &Actor, q: &ChangeRequestQuery) -> AppResult<Page<ChangeRequestSummary>> {
    let reader = access::change_request_reader(&actor.user)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(ChangeStatus::parse(s).ok_or_else(|| {
            AppError::field(
                "status",
                "must be draft, submitted, approved, piloted, applied, rejected, expired or rolled_back",
            )
        })?),
    };
    let waiting_for = match q.waiting_for.as_deref() {
        None => None,
        Some(w) => {
            Some(WaitingFor::parse(w).ok_or_else(|| AppError::field("waiting_for", "must be approver or finance"))?)
        }
    };
    let requested_by = match (reader, q.mine.unwrap_or(false)) {
        (access::ChangeReader::Own(user), _) => Some(user),
        (access::ChangeReader::All, true) => Some(actor.user.id),
        (access::ChangeReader::All, false) => None,
    };
    let decidable_by = q.for_me.unwrap_or(false).then(|| {
        let (approver, finance) = access::approves_as(&actor.user);
        (actor.user.id, approver, finance)
    });
    let filter = ChangeFilter { status, requested_by, waiting_for, decidable_by, page, per_page };
    Ok(store::list(&db.read, &filter).await?)
}

/// The request, locked for this transaction and visible to the actor.
async fn locked(conn: &mut Conn, actor: &Actor, id: i64) -> AppResult<StoredChange> {
    let status = store::lock(conn, id).await?;
    visible(actor, if status.is_some() { store::get(&mut *conn, id).await? } else { None })
}

/// 409 unless the request is at one of the `expected` statuses (asked after who may act: a caller who may not
/// learns nothing of where it stands).
fn expect_status(stored: &StoredChange, expected: &[ChangeStatus]) -> AppResult<()> {
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

/// Queue mail about a request to `to` (only with a relay configured: nothing piles up unsent otherwise).
async fn notify(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    s: &StoredChange,
    event: Event<'_>,
    to: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(outbox) = outbox else { return Ok(()) };
    let m = ChangeMail {
        id: s.id,
        title: &s.title,
        requester: &s.requested_by.name,
        operations: s.operations.len() as i64,
        preview: &s.preview,
    };
    let rendered = change_mail::render(&m, event, outbox.public_url);
    for recipient in to {
        let mail =
            Mail { alert_id: None, recipient, subject: &rendered.subject, text: &rendered.text, html: &rendered.html };
        mail_store::queue_mail(tx, &mail, now).await?;
    }
    Ok(())
}

/// Who can give the sign-off a request waits for (never its requester, nor for finance its approver).
async fn deciders(tx: &mut Conn, s: &StoredChange, waiting: WaitingFor) -> AppResult<Vec<String>> {
    let roles: &[Role] = match waiting {
        WaitingFor::Approver => &[Role::Approver, Role::Admin],
        WaitingFor::Finance => &[Role::Finance],
    };
    let approver = s.decided_by.as_ref().map(|r| r.id);
    Ok(users::with_roles(tx, roles)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != s.requested_by.id && Some(*id) != approver)
        .map(|(_, email)| email)
        .collect())
}

async fn requester_address(tx: &mut Conn, s: &StoredChange) -> AppResult<Vec<String>> {
    Ok(users::email_of(tx, s.requested_by.id).await?.into_iter().collect())
}

/// Queue a draft for approval, after checking every row again; with any row in error nothing is queued (422).
/// The approvers are told by e-mail.
pub async fn submit(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
) -> AppResult<ChangeRequest> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_edit_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, &[ChangeStatus::Draft])?;
    submit_locked(&mut tx, outbox, actor, stored, now).await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}

async fn submit_locked(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    stored: StoredChange,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = stored.id;
    let policy = store::policy(&mut *tx).await?;
    let (ops, _) = rules::parse(&stored.operations);
    let restored = rollback::restored_costs(&ops, &before_rolled_back(tx, stored.rollback_of).await?);
    let checked = check(tx, &actor.user, &stored.operations, restored, policy_limit(&policy)).await?;
    let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
    store::set_checked(tx, id, &content, now).await?;
    if !checked.errors.is_empty() {
        // The errors found are kept on the draft for its author to fix: the caller commits them.
        return Err(AppError::validation(checked.errors));
    }
    if let Some(e) = approval_policy::reason_problem(&policy, &stored.reason) {
        return Err(AppError::validation(vec![e]));
    }
    rollback_still_undoes(tx, &actor.user, &stored).await?;
    let needs_finance = approval_policy::needs_finance(&policy, &checked.preview);
    store::step(tx, id, ChangeStatus::Draft, Step::Submit { needs_finance }, now).await?;
    let record = serde_json::json!({"needs_finance": needs_finance, "seats_changed": checked.preview.seats_changed});
    ledger::record(
        tx,
        now,
        actor.ledger_name(),
        Change::created("change_request.submit", "change_request", Some(id), &record),
    )
    .await?;
    let stored = StoredChange { preview: checked.preview, decided_by: None, ..stored };
    let to = deciders(tx, &stored, WaitingFor::Approver).await?;
    notify(tx, outbox, &stored, Event::Waiting, &to, now).await
}

/// Approve or reject a submitted request: the approver's sign-off (approvers and admins), then finance's when the
/// request is above the policy's thresholds. Never by its requester (403 whatever their roles), and finance's
/// never by the approver who gave the first.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    approve: bool,
    input: &CommentInput,
) -> AppResult<ChangeRequest> {
    let comment = input.comment.trim();
    let mut errors = Vec::new();
    if comment.chars().count() > 4000 {
        errors.push(FieldError::new("comment", "must be at most 4000 characters"));
    }
    limits::check_text(&mut errors, "comment", Some(comment));
    if !approve && comment.is_empty() {
        errors.push(FieldError::new("comment", "say why the request is rejected"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    let waiting = may_decide(&actor.user, &stored)?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let policy = store::policy(&mut *tx).await?;
    let finance_next = approve && waiting == WaitingFor::Approver && stored.needs_finance;
    let to = match (approve, finance_next) {
        (false, _) => ChangeStatus::Rejected,
        (true, true) => ChangeStatus::Submitted,
        (true, false) => ChangeStatus::Approved,
    };
    let expires_at = (to == ChangeStatus::Approved)
        .then(|| approval_policy::expires_at(&policy, stored.execute_at.map_or(now, |at| at.max(now))))
        .flatten();
    let by = actor.user.id;
    let step = match waiting {
        WaitingFor::Approver => Step::Decide { to, by, comment, expires_at },
        WaitingFor::Finance => Step::Finance { to, by, comment, expires_at },
    };
    store::step(&mut tx, id, ChangeStatus::Submitted, step, now).await?;
    let action = match (approve, waiting) {
        (true, WaitingFor::Approver) => "change_request.approve",
        (true, WaitingFor::Finance) => "change_request.finance_approve",
        (false, _) => "change_request.reject",
    };
    let record = serde_json::json!({"status": to.as_str(), "comment": comment, "as": waiting.as_str(),
        "expires_at": expires_at});
    ledger::record(&mut tx, now, actor.ledger_name(), Change::created(action, "change_request", Some(id), &record))
        .await?;
    let requester = requester_address(&mut tx, &stored).await?;
    if finance_next {
        let me = seatwise_types::Ref { id: actor.user.id, name: actor.user.name.clone() };
        let stored = StoredChange { decided_by: Some(me), ..stored };
        let to = deciders(&mut tx, &stored, WaitingFor::Finance).await?;
        notify(&mut tx, outbox, &stored, Event::WaitingForFinance, &to, now).await?;
    } else if approve {
        notify(&mut tx, outbox, &stored, Event::Approved, &requester, now).await?;
    } else {
        notify(&mut tx, outbox, &stored, Event::Rejected { comment }, &requester, now).await?;
        let outcome = Outcome { change_request_id: id, origin: stored.origin, who: actor.ledger_name(), now };
        follower.rejected(&mut tx, &outcome).await?;
    }
    tx.commit().await?;
    get(db, clock, actor, id).await
}

/// Apply the next stage of an approved request in one transaction, every row checked again first: all of the
/// stage or none of it. With `pilot: N` only its first N rows (nothing applied yet); applied again without one,
/// the rest. A snapshot of every record the stage changes is stored with it, for rollback.
///
/// Every try is recorded as an attempt (committed before the stage's transaction, ended with it), and reports its
/// progress where any instance reads it; a process killed midway leaves an attempt that reads as interrupted, and
/// nothing of its stage.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
) -> AppResult<ChangeRequest> {
    let from = [ChangeStatus::Approved, ChangeStatus::Piloted];
    let rows = precheck(db, clock, actor, id, input, &from).await?;
    run_stage(db, clock, outbox, progress, follower, actor, id, input, rows, &from).await?;
    get(db, clock, actor, id).await
}

/// Who may, and which rows (first row, how many), before an attempt is recorded; the stage checks both again
/// under its lock.
async fn precheck(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    from: &[ChangeStatus],
) -> AppResult<(i64, i64)> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    access::may_apply_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, from)?;
    window_open(&stored, clock.now())?;
    let mut conn = db.read.acquire().await?;
    let (_, until) = stage_plan(&mut conn, &stored, input).await?;
    Ok((stored.applied_count + 1, until - stored.applied_count))
}

/// Record the attempt, then apply the stage; the attempt ends with the stage's transaction, as failed with the
/// error, or, if the request is dropped midway (timed out, its client gone), as failed by its guard.
#[allow(clippy::too_many_arguments)]
async fn run_stage(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    (first_row, rows): (i64, i64),
    from: &[ChangeStatus],
) -> AppResult<()> {
    progress.set(Job::ChangeRequest(id), "starting", 0, rows as u64).await;
    let started =
        store::stages::start_attempt(&db.write, id, (first_row, rows), actor.ledger_name(), clock.now()).await?;
    let attempt = Attempt::started(Work::ChangeRequest, id, started, db.write.clone(), progress);
    match apply_stage(db, clock, outbox, progress, follower, actor, id, input, attempt.id(), from).await {
        Ok(()) => {
            attempt.applied().await;
            Ok(())
        }
        Err(e) => {
            attempt.failed(&e).await;
            Err(e)
        }
    }
}

/// How far the request's latest stage has come, from the database: any instance answers while another applies.
pub async fn progress(db: &Db, progress: &Progress, actor: &Actor, id: i64) -> AppResult<JobProgress> {
    let stored = visible(actor, store::get(&db.read, id).await?)?;
    if let Some(p) = progress.get(Job::ChangeRequest(id)).await? {
        return Ok(p);
    }
    let total = stored.operations.len() as u64;
    let done = u64::try_from(stored.applied_count).unwrap_or(0);
    Ok(JobProgress { phase: stored.status.as_str().into(), done, total, finished: done == total })
}

/// A request with an execution window is not applied before its time.
fn window_open(stored: &StoredChange, now: DateTime<Utc>) -> AppResult<()> {
    match stored.execute_at {
        Some(at) if !rules::window_open(Some(at), now) => Err(AppError::Conflict(format!(
            "This request is scheduled: the server applies it at {} (UTC). Nothing was changed; edit the request to \
             change or clear its execution window.",
            at.format("%Y-%m-%d %H:%M")
        ))),
        _ => Ok(()),
    }
}

/// The rows a stage applies, as the last of them (numbered from 1): with `pilot: N` the first N; with
/// `pilot_department_id` those that change a seat of someone in that department, which move ahead of the rest
/// (the rows are returned in their new order: the same set, so the same approval); otherwise all that are left.
async fn stage_plan(
    conn: &mut Conn,
    stored: &StoredChange,
    input: &ApplyChangeInput,
) -> AppResult<(Option<Vec<usize>>, i64)> {
    let Some(department) = input.pilot_department_id else {
        return Ok((None, stage_end(stored, input.pilot)?));
    };
    let refuse = |why: &str| Err(AppError::field("pilot_department_id", why));
    if input.pilot.is_some() {
        return refuse("give a pilot size or a department, not both");
    }
    if stored.status == ChangeStatus::Piloted {
        return refuse("the pilot is applied: apply again without a pilot for the rest");
    }
    let people: Vec<i64> = rules::people_named(&stored.operations).into_iter().collect();
    let in_department: HashSet<i64> = store::facts::departments_of_people(conn, &people)
        .await?
        .into_iter()
        .filter(|(_, d)| d.id == department)
        .map(|(person, _)| person)
        .collect();
    match rules::group_pilot(&stored.operations, |p| in_department.contains(&p)) {
        Ok((order, leading)) => Ok((Some(order), leading as i64)),
        Err(why) => refuse(why),
    }
}

/// The last row (numbered from 1) of the stage `pilot` asks for: its first `pilot` rows, or all that is left.
fn stage_end(stored: &StoredChange, pilot: Option<i64>) -> AppResult<i64> {
    let total = stored.operations.len() as i64;
    match (pilot, stored.status) {
        (Some(_), ChangeStatus::Piloted) => {
            Err(AppError::field("pilot", "the pilot is applied: apply again without a pilot for the rest"))
        }
        (Some(_), _) if total < 2 => {
            Err(AppError::field("pilot", "a request of one operation has no pilot: apply it whole"))
        }
        (Some(n), _) if !(1..total).contains(&n) => Err(AppError::validation(vec![FieldError::new(
            "pilot",
            format!("must be from 1 to {} (fewer than the request's {total} operations)", total - 1),
        )])),
        (Some(n), _) => Ok(n),
        (None, _) => Ok(total),
    }
}

/// One stage in one transaction; its attempt's end is written with it.
#[allow(clippy::too_many_arguments)]
async fn apply_stage(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
    attempt: i64,
    from_status: &[ChangeStatus],
) -> AppResult<()> {
    let now = clock.now();
    let job = Job::ChangeRequest(id);
    let mut tx = db.begin().await?;
    let mut stored = locked(&mut tx, actor, id).await?;
    access::may_apply_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, from_status)?;
    window_open(&stored, now)?;
    let total = stored.operations.len() as i64;
    let from = stored.applied_count;
    let (order, until) = stage_plan(&mut tx, &stored, input).await?;
    if let Some(order) = &order {
        // A department's pilot: its rows first. Stored only once the stage applies; until then errors name the
        // rows as the reader numbers them.
        stored.operations = order.iter().filter_map(|i| stored.operations.get(*i).cloned()).collect();
    }
    let as_read = |errors: Vec<FieldError>| match &order {
        Some(order) => rules::original_rows(errors, order),
        None => errors,
    };
    let rows = (until - from) as u64;
    progress.set(job, "checking the rows again", 0, rows).await;
    if stored.status == ChangeStatus::Approved && stored.expires_at.is_some_and(|at| at <= now) {
        expire_locked(&mut tx, outbox, actor.ledger_name(), &stored, now).await?;
        tx.commit().await?;
        return Err(AppError::Conflict(
            "This request's approval expired before it was applied. Nothing was changed; submit it again for a new \
             approval."
                .into(),
        ));
    }
    let requester = users::load_in(&mut tx, stored.requested_by.id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {id}: its requester is gone")))?;
    let (all_ops, _) = rules::parse(&stored.operations);
    let in_stage = |row: &u64| (from as u64) < *row && *row <= until as u64;
    let stage_ops: Vec<(u64, Operation)> = all_ops.iter().filter(|(row, _)| in_stage(row)).copied().collect();
    let (pool_ids, seats, retiring) = rollback::touched(&stage_ops);
    // Lock the pools in id order (two requests locking in opposite orders could otherwise wait on each other).
    for pool_id in &pool_ids {
        pools::lock(&mut tx, *pool_id).await?;
    }
    rollback_still_undoes(&mut tx, &requester, &stored).await?;
    let as_before = before_rolled_back(&mut tx, stored.rollback_of).await?;
    let restored = rollback::restored_costs(&all_ops, &as_before);
    // What is left must still apply as approved: the whole request before its first stage, the rest after a pilot.
    let left: Vec<OperationInput> = stored.operations[from as usize..].to_vec();
    let checked = renumber(check(&mut tx, &requester, &left, restored.clone(), MAX_OPERATIONS).await?, from as u64);
    let expected =
        if from == 0 { Some(stored.preview.clone()) } else { store::stages::snapshots(&mut tx, id).await?.1 };
    if !checked.errors.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "The inventory changed since this request was approved: {} of its rows cannot be applied as they \
                 stand. Nothing was changed.",
                checked.errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len()
            ),
            fields: as_read(checked.errors),
        });
    }
    if expected.as_ref() != Some(&checked.preview) {
        let refused = changed_since(&mut tx, actor, &stored, &checked, now).await?;
        tx.commit().await?;
        return Err(refused);
    }
    // A pilot is checked on its own too: its rows must apply without the rows after it (capacity above all).
    let stage_preview = if until < total {
        let pilot =
            check(&mut tx, &requester, &stored.operations[..until as usize], restored.clone(), MAX_OPERATIONS).await?;
        if !pilot.errors.is_empty() {
            let message = if order.is_some() {
                format!(
                    "The {until} rows for that department cannot be applied on their own as a pilot (they rely on \
                     other rows). Nothing was changed; choose another pilot."
                )
            } else {
                format!(
                    "The first {until} rows cannot be applied on their own as a pilot (they rely on rows after them). \
                     Nothing was changed; choose another pilot size."
                )
            };
            return Err(AppError::Validation { message, fields: as_read(pilot.errors) });
        }
        pilot.preview
    } else {
        checked.preview.clone()
    };
    progress.set(job, "taking a snapshot", 0, rows).await;
    let mut snapshot = Snapshot {
        pools: seat_store::pools_before(&mut tx, &pool_ids).await?,
        seats: seat_store::seats_before(&mut tx, &seats, &retiring).await?,
        after: Vec::new(),
    };
    let who = actor.ledger_name();
    let freed = seat_store::holders(&mut tx, &retiring).await?;
    let mut plan = Plan::default();
    for (_, op) in &stage_ops {
        plan.add(*op);
    }
    let annual_after: HashMap<i64, (Option<i64>, i64)> = stage_preview
        .pools
        .iter()
        .map(|p| (p.pool_id, (p.seats_purchased_after, p.annual_cost_after.amount_minor)))
        .collect();
    progress.set(job, "changing seats and pools", 0, rows).await;
    seat_store::retire(&mut tx, &plan.retire, now).await?;
    let restores: Vec<(i64, i64)> =
        plan.restore.iter().filter_map(|id| annual_after.get(id).map(|(_, annual)| (*id, *annual))).collect();
    seat_store::restore(&mut tx, &restores, now).await?;
    seat_store::remove_seats(&mut tx, &plan.remove).await?;
    seat_store::hand_over(&mut tx, &plan.hand_over, who, now).await?;
    let seat_before: HashMap<(i64, i64), &SeatBefore> =
        as_before.seats.iter().map(|s| ((s.pool_id, s.person_id), s)).collect();
    let (restored_seats, new_seats): (Vec<_>, Vec<_>) =
        plan.add.iter().partition(|seat| seat_before.contains_key(*seat));
    seat_store::add_seats(&mut tx, &new_seats.into_iter().copied().collect::<Vec<_>>(), who, now).await?;
    let restored_seats: Vec<&SeatBefore> =
        restored_seats.iter().filter_map(|seat| seat_before.get(*seat).copied()).collect();
    seat_store::add_seats_as_before(&mut tx, &restored_seats).await?;
    let seat_counts: Vec<(i64, i64, i64)> = plan
        .set_seats
        .iter()
        .filter_map(|id| match annual_after.get(id) {
            Some((Some(seats), annual)) => Some((*id, *seats, *annual)),
            _ => None,
        })
        .collect();
    seat_store::set_seats(&mut tx, &seat_counts, now).await?;
    seat_store::recount(&mut tx, &pool_ids).await?;
    // The seats as this stage left them: a rollback takes back only these records, not a seat given again since.
    snapshot.after = seat_store::seats_before(&mut tx, &seats, &[]).await?;
    let rest_preview = if until < total {
        let rest: Vec<OperationInput> = stored.operations[until as usize..].to_vec();
        Some(renumber(check(&mut tx, &requester, &rest, restored, MAX_OPERATIONS).await?, until as u64).preview)
    } else {
        None
    };
    let stage_number = store::stages::stages(&mut *tx, id, total).await?.len() as i64 + 1;
    let new_stage = NewStage {
        stage: stage_number,
        first_row: from + 1,
        row_count: until - from,
        snapshot: &snapshot,
        rest_preview: rest_preview.as_ref(),
        applied_by: actor.user.id,
    };
    if order.is_some() && !store::set_operations(&mut tx, id, &stored.operations).await? {
        return Err(AppError::internal(format!("change request {id}: its operations changed under its row lock")));
    }
    store::stages::insert_stage(&mut tx, id, &new_stage, now).await?;
    progress.set(job, "writing the ledger", rows, rows).await;
    let changes = stage_ops
        .iter()
        .map(|(row, _)| {
            let op = &stored.operations[(*row - 1) as usize];
            let original = order.as_ref().and_then(|o| o.get((*row - 1) as usize)).map(|i| i + 1);
            let record = serde_json::json!({"change_request_id": id, "row": row, "operation": op,
                "row_as_submitted": original});
            let pool = op.pool_id.or(op.from_pool_id);
            Pending::of(Change::created("change_request.operation", "pool", pool, &record))
        })
        .chain(freed.iter().map(|(pool, person)| {
            let record = serde_json::json!({"change_request_id": id, "person_id": person, "pool_retired": true});
            Pending::of(Change::removed("pool.seat_unassign", "pool", Some(*pool), &record))
        }))
        .chain([Pending::of(Change::created(
            "change_request.apply",
            "change_request",
            Some(id),
            &serde_json::json!({"stage": stage_number, "first_row": from + 1, "rows": until - from, "of": total,
                "pilot_department_id": input.pilot_department_id}),
        ))])
        .collect::<Result<Vec<_>, _>>()?;
    ledger::record_many(&mut tx, now, who, changes).await?;
    let to = if until < total { ChangeStatus::Piloted } else { ChangeStatus::Applied };
    if !store::step(&mut tx, id, stored.status, Step::Applied { to, applied_count: until }, now).await? {
        return Err(AppError::internal(format!("change request {id} moved under its row lock")));
    }
    if to == ChangeStatus::Applied {
        if let Some(original) = stored.rollback_of {
            finish_rollback(&mut tx, who, original, stored.rollback_rows.as_deref(), now).await?;
        }
    }
    if stored.requested_by.id != actor.user.id {
        let to = requester_address(&mut tx, &stored).await?;
        notify(&mut tx, outbox, &stored, Event::Applied { rows: until, of: total }, &to, now).await?;
    }
    follower.applied(&mut tx, &Outcome { change_request_id: id, origin: stored.origin, who, now }).await?;
    attempts::end(&mut tx, Work::ChangeRequest, attempt, AttemptOutcome::Applied, None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Errors of a check of the rows from `offset + 1` on, numbered as rows of the whole request.
fn renumber(mut checked: Checked, offset: u64) -> Checked {
    for e in &mut checked.errors {
        e.row = e.row.map(|r| r + offset);
    }
    checked
}

/// Applying would do something other than what was approved (seats or costs moved since): nothing is changed.
/// Before anything is applied the request goes back to its requester as a draft with its new preview; after a
/// pilot it stays piloted, for the pilot to be rolled back or the inventory put right.
async fn changed_since(
    tx: &mut Conn,
    actor: &Actor,
    stored: &StoredChange,
    checked: &Checked,
    now: DateTime<Utc>,
) -> AppResult<AppError> {
    if stored.status == ChangeStatus::Piloted {
        return Ok(AppError::Conflict(
            "The inventory changed since the pilot was applied, so applying the rest now would do something other \
             than what was approved. Nothing was changed; roll the pilot back and ask again."
                .into(),
        ));
    }
    let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
    store::set_checked(tx, stored.id, &content, now).await?;
    store::step(tx, stored.id, ChangeStatus::Approved, Step::Reopen, now).await?;
    ledger::record(
        tx,
        now,
        actor.ledger_name(),
        Change::event("change_request.reopen", "change_request", Some(stored.id)),
    )
    .await?;
    // The reopening is kept with the refusal: the caller commits it.
    Ok(AppError::Conflict(
        "The inventory changed since this request was approved, so applying it now would do something other than \
         what was approved. Nothing was changed; it is a draft again with its new preview, to submit for approval \
         once more."
            .into(),
    ))
}

/// The rollback request of `original` is applied: the original is rolled back.
/// A rollback applied: the request it undid reads rolled back; one that undid chosen rows leaves it applied (its
/// other rows stand, and may be rolled back later) with the rows in the ledger.
async fn finish_rollback(
    tx: &mut Conn,
    who: &str,
    original: i64,
    rows: Option<&[u64]>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let status = store::lock(tx, original).await?;
    if let Some(rows) = rows {
        store::set_rolled_back_by(tx, original, None).await?;
        let change = Change::created("change_request.rolled_back_rows", "change_request", Some(original), &rows);
        ledger::record(tx, now, who, change).await?;
        return Ok(());
    }
    if let Some(from @ (ChangeStatus::Applied | ChangeStatus::Piloted)) = status {
        store::step(tx, original, from, Step::RolledBack, now).await?;
        ledger::record(tx, now, who, Change::event("change_request.rolled_back", "change_request", Some(original)))
            .await?;
    }
    Ok(())
}

async fn expire_locked(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    who: &str,
    stored: &StoredChange,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if store::step(tx, stored.id, ChangeStatus::Approved, Step::Expire, now).await? {
        ledger::record(tx, now, who, Change::event("change_request.expire", "change_request", Some(stored.id))).await?;
        let to = requester_address(tx, stored).await?;
        notify(tx, outbox, stored, Event::Expired, &to, now).await?;
    }
    Ok(())
}

/// What undoes the applied rows of `original` now, or the rows (of `original`) whose records changed again since
/// it applied them: a seat taken back, given again by someone else, a seat count moved on.
/// `rows`: only these rows of the original (`None`: every applied row).
async fn undo_of(
    tx: &mut Conn,
    reader: &User,
    original: &StoredChange,
    rows: Option<&[u64]>,
) -> AppResult<(rollback::Undo, Vec<FieldError>)> {
    let (ops, _) = rules::parse(&original.operations);
    let applied: Vec<(u64, Operation)> = ops
        .into_iter()
        .filter(|(row, _)| *row <= original.applied_count as u64 && rows.is_none_or(|r| r.contains(row)))
        .collect();
    let (snapshots, _) = store::stages::snapshots(&mut *tx, original.id).await?;
    let before = Snapshot::merged(snapshots);
    let now_facts = facts(tx, reader, &applied).await?;
    let (_, seats, _) = rollback::touched(&applied);
    let records = seat_store::seats_before(tx, &seats, &[]).await?;
    Ok(rollback::undo_all(&applied, &before, &now_facts, &records))
}

/// A rollback is checked against what its request left each time it moves on (submitted again, applied, the rest
/// after a pilot): a record changed since the rollback was asked for refuses it, naming the rows of the request
/// it rolls back.
async fn rollback_still_undoes(tx: &mut Conn, reader: &User, rollback: &StoredChange) -> AppResult<()> {
    let Some(original_id) = rollback.rollback_of else { return Ok(()) };
    let original = store::get(&mut *tx, original_id).await?.ok_or_else(|| {
        AppError::internal(format!("change request {}: the request it rolls back is gone", rollback.id))
    })?;
    let (undo, errors) = undo_of(tx, reader, &original, rollback.rollback_rows.as_deref()).await?;
    let done = usize::try_from(rollback.applied_count).unwrap_or(0);
    match rollback::still_changed_since(&undo, errors, done) {
        fields if fields.is_empty() => Ok(()),
        fields => Err(AppError::Validation {
            message: format!(
                "{} of the records change request #{original_id} changed were changed again since this rollback \
                 was asked for; applying it would overwrite those changes. Nothing was changed; reject this rollback.",
                fields.len()
            ),
            fields,
        }),
    }
}

/// Ask to roll back what a request applied: a new request of the opposite operations, which restores each
/// record as its snapshot had it and is approved like any other. Refused (naming the records) where a record
/// changed again since, as undoing it would overwrite that later change.
pub async fn request_rollback(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    id: i64,
    input: &RollbackInput,
) -> AppResult<ChangeRequest> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id).await?;
    access::may_roll_back_change_request(&actor.user, stored.requested_by.id)?;
    expect_status(&stored, &[ChangeStatus::Applied, ChangeStatus::Piloted])?;
    if let Some(pending) = stored.rolled_back_by {
        let status = store::lock(&mut tx, pending).await?;
        if !matches!(status, Some(ChangeStatus::Rejected | ChangeStatus::Expired)) {
            return Err(AppError::Conflict(format!(
                "Change request #{pending} already rolls this one back; decide that one instead."
            )));
        }
    }
    let rows =
        rollback::chosen_rows(input.rows.as_deref(), stored.applied_count).map_err(|m| AppError::field("rows", &m))?;
    let (undo, fields) = undo_of(&mut tx, &actor.user, &stored, rows.as_deref()).await?;
    if !fields.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "{} of the records this request changed were changed again since; rolling it back would overwrite \
                 those changes, so nothing was asked for.",
                fields.len()
            ),
            fields,
        });
    }
    let operations: Vec<OperationInput> = undo.ops.iter().map(|(_, op)| op.input()).collect();
    let checked = check(&mut tx, &actor.user, &operations, undo.restored_costs.clone(), MAX_OPERATIONS).await?;
    if !checked.errors.is_empty() {
        // Name the rows of the request being rolled back, which is what the reader has in front of them.
        let fields = checked
            .errors
            .into_iter()
            .map(|mut e| {
                e.row = e.row.and_then(|r| undo.ops.get((r - 1) as usize)).map(|(original, _)| *original);
                e.message = format!("undoing this row: {}", e.message);
                e
            })
            .collect();
        return Err(AppError::Validation {
            message: "This request cannot be rolled back as things stand now; nothing was asked for.".into(),
            fields,
        });
    }
    let which = rows.as_deref().map(rollback::rows_text);
    let reason = match (input.reason.as_deref().map(str::trim), &which) {
        (Some(r), _) if !r.is_empty() => r.to_string(),
        (_, Some(w)) => format!("Undo {w} of change request #{id} “{}”.", stored.title),
        (_, None) => format!("Undo change request #{id} “{}”.", stored.title),
    };
    let title = match &which {
        Some(w) => format!("Roll back {w}: {}", stored.title),
        None => format!("Roll back: {}", stored.title),
    };
    let title: String = title.chars().take(200).collect();
    let (title, reason) = check_heading(&title, &reason, operations.len(), "operations")?;
    let content = Content { operations: &operations, errors: &checked.errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: actor.user.id,
        rollback_of: Some(id),
        execute_at: None,
        author_id: None,
        origin: ChangeOrigin::Rollback,
    };
    let rollback_id = store_draft(&mut tx, actor, &new, &content, now).await?;
    store::set_rollback_rows(&mut tx, rollback_id, rows.as_deref()).await?;
    store::set_rolled_back_by(&mut tx, id, Some(rollback_id)).await?;
    let draft = store::get(&mut *tx, rollback_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {rollback_id} vanished in its transaction")))?;
    submit_locked(&mut tx, outbox, actor, draft, now).await?;
    tx.commit().await?;
    get(db, clock, actor, rollback_id).await
}

/// Background upkeep, safe on several instances at once: approvals that lapsed unused expire (their requesters
/// are told), and approvers of requests waiting longer than the policy allows are reminded. Returns how many of
/// each.
pub async fn upkeep(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
) -> AppResult<Upkeep> {
    let now = clock.now();
    let applied = run_due(db, clock, outbox, progress, follower).await?;
    let policy = store::policy(&db.read).await?;
    let mut expired = 0;
    for id in store::upkeep::lapsed(&db.read, now).await? {
        let mut tx = db.begin().await?;
        if store::lock(&mut tx, id).await? == Some(ChangeStatus::Approved) {
            if let Some(stored) = store::get(&mut *tx, id).await? {
                expire_locked(&mut tx, outbox, "seatwise", &stored, now).await?;
                expired += 1;
            }
        }
        tx.commit().await?;
    }
    let mut reminded = 0;
    if let Some(hours) = policy.reminder_hours {
        let before = now - chrono::Duration::hours(hours);
        for id in store::upkeep::waiting_since(&db.read, before).await? {
            let mut tx = db.begin().await?;
            // Claimed by the conditional update: another instance that got there first wins and this one skips.
            if store::upkeep::claim_reminder(&mut tx, id, before, now).await? {
                if let Some(stored) = store::get(&mut *tx, id).await? {
                    if let Some(waiting) = stored.waiting_for() {
                        let to = deciders(&mut tx, &stored, waiting).await?;
                        notify(&mut tx, outbox, &stored, Event::Reminder, &to, now).await?;
                        reminded += 1;
                    }
                }
            }
            tx.commit().await?;
        }
    }
    Ok(Upkeep { expired, reminded, applied })
}

/// What the background upkeep did: approvals lapsed, approvers reminded, scheduled requests applied.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Upkeep {
    pub expired: u64,
    pub reminded: u64,
    pub applied: u64,
}

/// Apply the requests whose execution window has come, each claimed first by a conditional update so that of
/// several instances exactly one runs it. Applied as their requester; a stage that fails is recorded as a failed
/// attempt on the request (its page says why) and not tried again by the run.
async fn run_due(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    progress: &Progress,
    follower: &dyn Follower,
) -> AppResult<u64> {
    let mut applied = 0;
    let whole = ApplyChangeInput::default();
    for id in store::upkeep::due_runs(&db.read, clock.now()).await? {
        if !store::upkeep::claim_run(&db.write, id, clock.now()).await? {
            continue;
        }
        let Some(stored) = store::get(&db.read, id).await? else { continue };
        let requester =
            users::load(&db.read, stored.requested_by.id).await?.map(|user| Actor { user, via: Via::Token });
        let scheduled = [ChangeStatus::Approved];
        let refused = match requester {
            None => Some("its requester's account no longer exists".to_string()),
            Some(requester) => match precheck(db, clock, &requester, id, &whole, &scheduled).await {
                Err(e @ (AppError::Database(_) | AppError::Internal(_) | AppError::Busy { .. })) => {
                    // Not the request's fault: the next tick tries again.
                    tracing::warn!(change_request = id, error = %e, "a scheduled change request could not start");
                    store::upkeep::release_run(&db.write, id).await?;
                    None
                }
                // Applied or lapsed meanwhile: nothing left to run.
                Err(_) if store::get(&db.read, id).await?.is_none_or(|s| s.status != ChangeStatus::Approved) => None,
                Err(e) => Some(e.public_message()),
                Ok(rows) => {
                    // A stage that fails records its own attempt.
                    match run_stage(db, clock, outbox, progress, follower, &requester, id, &whole, rows, &scheduled)
                        .await
                    {
                        Ok(()) => applied += 1,
                        Err(e) => {
                            tracing::warn!(change_request = id, error = %e, "a scheduled change request did not apply")
                        }
                    }
                    None
                }
            },
        };
        if let Some(why) = refused {
            tracing::warn!(change_request = id, why, "a scheduled change request did not start");
            run_refused(db, clock, &stored, &why).await;
        }
    }
    Ok(applied)
}

/// A scheduled run that could not start is recorded as a failed attempt with why, where the request's page shows
/// it; the run stays claimed (a person applies it by hand once the cause is fixed). Advisory: logged if it fails.
async fn run_refused(db: &Db, clock: &dyn Clock, stored: &StoredChange, why: &str) {
    let now = clock.now();
    let rows = (stored.applied_count + 1, stored.operations.len() as i64 - stored.applied_count);
    let message = format!("The scheduled run did not start: {why}");
    let recorded = async {
        let attempt = store::stages::start_attempt(&db.write, stored.id, rows, "Seatwise (scheduled run)", now).await?;
        let mut conn = db.write.acquire().await?;
        attempts::end(&mut conn, Work::ChangeRequest, attempt, AttemptOutcome::Failed, Some(&message), now).await
    };
    if let Err(e) = recorded.await {
        tracing::warn!(change_request = stored.id, error = %e, "could not record that a scheduled run did not start");
    }
}

pub async fn policy(db: &Db, actor: &Actor) -> AppResult<ApprovalPolicy> {
    access::change_request_reader(&actor.user)?;
    Ok(store::policy(&db.read).await?)
}

/// Change the approval policy (admins), if it is still at `expected` (409 otherwise). Requests already submitted
/// keep the sign-offs they were submitted with.
pub async fn set_policy(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    input: &ApprovalPolicy,
    expected: Option<i64>,
) -> AppResult<ApprovalPolicy> {
    access::may_change_settings(&actor.user)?;
    let policy = approval_policy::validate(input).map_err(AppError::validation)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::policy(&mut *tx).await?;
    let version = expected.unwrap_or(before.version);
    if !store::save_policy(&mut tx, &policy, version).await? {
        return Err(AppError::Conflict(
            "The approval policy was changed by someone else meanwhile; reload it and try again.".into(),
        ));
    }
    let after = store::policy(&mut *tx).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::changed("approval_policy.update", "approval_policy", Some(1), &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The writes of a checked stage, grouped by kind (a checked batch changes each seat once, so order is free).
#[derive(Default)]
struct Plan {
    add: Vec<(i64, i64)>,
    remove: Vec<(i64, i64)>,
    hand_over: Vec<(i64, i64, i64)>,
    set_seats: BTreeSet<i64>,
    retire: Vec<i64>,
    restore: Vec<i64>,
}

impl Plan {
    fn add(&mut self, op: Operation) {
        match op {
            Operation::Assign { pool_id, person_id } => self.add.push((pool_id, person_id)),
            Operation::Unassign { pool_id, person_id } => self.remove.push((pool_id, person_id)),
            Operation::Reassign { pool_id, from_person_id, to_person_id } => {
                self.hand_over.push((pool_id, from_person_id, to_person_id))
            }
            Operation::Move { from_pool_id, to_pool_id, person_id } => {
                self.remove.push((from_pool_id, person_id));
                self.add.push((to_pool_id, person_id));
            }
            Operation::SetSeats { pool_id, .. } => {
                self.set_seats.insert(pool_id);
            }
            Operation::RetirePool { pool_id } => self.retire.push(pool_id),
            Operation::RestorePool { pool_id } => self.restore.push(pool_id),
        }
    }
}

/// Where a CSV file's names point: pools by lower-case name (all that carry it, among those the reader may see: a
/// pool outside their scope is as unknown by name as by id), people by e-mail or employee id.
struct Names {
    pools: HashMap<String, Vec<i64>>,
    people: HashMap<PersonKey, i64>,
}

impl Names {
    async fn load(conn: &mut Conn, reader: &User, rows: &[CsvRow]) -> AppResult<Names> {
        let mut pool_names = BTreeSet::new();
        let (mut emails, mut employee_ids) = (BTreeSet::new(), BTreeSet::new());
        for r in rows {
            for cell in [&r.pool, &r.from_pool, &r.to_pool].into_iter().flatten() {
                if let PoolKey::Name(name) = csv::pool_key(cell) {
                    pool_names.insert(name);
                }
            }
            for cell in [&r.person, &r.from_person, &r.to_person].into_iter().flatten() {
                match csv::person_key(cell) {
                    PersonKey::Email(e) => emails.insert(e),
                    PersonKey::EmployeeId(e) => employee_ids.insert(e),
                };
            }
        }
        let mut pools: HashMap<String, Vec<i64>> = HashMap::new();
        let readable = access::pool_read_scope(reader);
        for (id, name, place) in store::facts::pools_named(conn, &pool_names.into_iter().collect::<Vec<_>>()).await? {
            if readable.covers(place) {
                pools.entry(name).or_default().push(id);
            }
        }
        let mut people = HashMap::new();
        let (emails, employee_ids): (Vec<_>, Vec<_>) =
            (emails.into_iter().collect(), employee_ids.into_iter().collect());
        for (id, email, employee_id) in store::facts::people_keyed(conn, &emails, &employee_ids).await? {
            people.insert(PersonKey::Email(email), id);
            if let Some(e) = employee_id {
                people.insert(PersonKey::EmployeeId(e), id);
            }
        }
        Ok(Names { pools, people })
    }

    fn pool(&self, cell: &str) -> Result<i64, String> {
        match csv::pool_key(cell) {
            PoolKey::Id(id) => Ok(id),
            PoolKey::Name(name) => match self.pools.get(&name).map(Vec::as_slice) {
                Some([id]) => Ok(*id),
                Some(ids) if ids.len() > 1 => Err(format!("{} pools are named {cell:?}: name it by its id", ids.len())),
                _ => Err(format!("no pool is named {cell:?}")),
            },
        }
    }

    fn person(&self, cell: &str) -> Result<i64, String> {
        let key = csv::person_key(cell);
        self.people.get(&key).copied().ok_or_else(|| match key {
            PersonKey::Email(_) => format!("nobody has the e-mail address {cell:?}"),
            PersonKey::EmployeeId(_) => format!("nobody has the employee id {cell:?}"),
        })
    }
}

/// A draft from a CSV file (columns in `domain::change_csv`): pools and people are looked up by the names the
/// file gives; a name nobody has is an error on its row and column, and the draft is stored like any other.
pub async fn create_from_csv(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    title: &str,
    reason: &str,
    text: &str,
) -> AppResult<ChangeRequest> {
    access::may_request_changes(&actor.user)?;
    let (rows, _) = csv::read(text).map_err(AppError::validation)?;
    let (title, reason) = check_heading(title, reason, rows.len(), "file")?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let names = Names::load(&mut tx, &actor.user, &rows).await?;
    let mut errors = Vec::new();
    let mut operations = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut cell = |column: &str, value: &Option<String>, resolve: &dyn Fn(&str) -> Result<i64, String>| match value
            .as_deref()
            .map(resolve)
        {
            Some(Ok(id)) => Some(id),
            Some(Err(message)) => {
                errors.push(FieldError { path: column.into(), message, row: Some(r.row), line: Some(r.line) });
                None
            }
            None => None,
        };
        let pool = |c: &str| names.pool(c);
        let person = |c: &str| names.person(c);
        let whole = |c: &str| c.parse::<i64>().map_err(|_| "must be a whole number".to_string());
        let (pool_id, from_pool_id, to_pool_id) =
            (cell("pool", &r.pool, &pool), cell("from_pool", &r.from_pool, &pool), cell("to_pool", &r.to_pool, &pool));
        let person_id = cell("person", &r.person, &person);
        let from_person_id = cell("from_person", &r.from_person, &person);
        let to_person_id = cell("to_person", &r.to_person, &person);
        let seats_purchased = cell("seats_purchased", &r.seats_purchased, &whole);
        operations.push(OperationInput {
            op: r.op.clone(),
            pool_id,
            person_id,
            from_person_id,
            to_person_id,
            from_pool_id,
            to_pool_id,
            seats_purchased,
        });
    }
    let policy = store::policy(&mut *tx).await?;
    let checked = check(&mut tx, &actor.user, &operations, HashMap::new(), policy_limit(&policy)).await?;
    // A row whose names were not found says so; what the rules make of its missing ids would only repeat it.
    let unresolved: HashSet<u64> = errors.iter().filter_map(|e| e.row).collect();
    let lines: HashMap<u64, u64> = rows.iter().map(|r| (r.row, r.line)).collect();
    errors.extend(checked.errors.into_iter().filter(|e| e.row.is_none_or(|row| !unresolved.contains(&row))).map(
        |mut e| {
            e.path = csv::column_of(&e.path).to_string();
            e.line = e.row.and_then(|row| lines.get(&row).copied());
            e
        },
    ));
    errors.sort_by_key(|e| (e.row, e.path.clone()));
    let content = Content { operations: &operations, errors: &errors, preview: &checked.preview };
    let new = NewChange {
        title: &title,
        reason: &reason,
        requested_by: actor.user.id,
        rollback_of: None,
        execute_at: None,
        author_id: None,
        origin: ChangeOrigin::Csv,
    };
    let id = store_draft(&mut tx, actor, &new, &content, now).await?;
    tx.commit().await?;
    get(db, clock, actor, id).await
}
