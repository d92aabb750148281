//! Change requests: drafted with every row checked and a preview, submitted, approved or rejected by someone
//! other than the requester, and applied in one transaction after checking every row again.
//!
//! Rows are checked with the requester's permissions whoever acts (an approver applying a request changes what
//! the requester may change, nothing more).

use std::collections::{BTreeSet, HashMap, HashSet};

use seatwise_types::{
    ApplyChangeInput, ChangeRequest, ChangeRequestInput, ChangeRequestQuery, ChangeRequestSummary, ChangeStatus,
    CommentInput, FieldError, OperationInput, Page, PersonStatus, User,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, ChangeFilter, Content, Step, StoredChange};
use crate::db::{pools, users, Conn, Db};
use crate::domain::access;
use crate::domain::change_csv::{self as csv, CsvRow, PersonKey, PoolKey};
use crate::domain::change_request::{self as rules, Checked, Facts, Operation, PersonFacts};
use crate::domain::limits;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::paging;

/// The most operations one request holds.
pub const MAX_OPERATIONS: usize = 50_000;

/// Parse and check `operations` as `requester` would apply them now, reading through `conn`.
async fn check(conn: &mut Conn, requester: &User, operations: &[OperationInput]) -> AppResult<Checked> {
    let (ops, mut errors) = rules::parse(operations);
    let pool_ids: BTreeSet<i64> = ops.iter().flat_map(|(_, op)| op.pools()).collect();
    let person_ids: BTreeSet<i64> = ops.iter().flat_map(|(_, op)| op.people()).collect();
    let seats: Vec<(i64, i64)> = ops
        .iter()
        .flat_map(|(_, op)| {
            let people = op.people();
            op.pools().into_iter().flat_map(move |pool| people.clone().into_iter().map(move |person| (pool, person)))
        })
        .collect();
    let retiring = plan_retired(&ops);
    let mut facts = Facts::default();
    let readable = access::pool_read_scope(requester);
    for (department_id, mut pool) in store::pools(conn, &pool_ids.into_iter().collect::<Vec<_>>()).await? {
        // A pool outside the requester's read scope does not exist for them, not even by name.
        if readable.contains(department_id) {
            pool.may_edit = access::may_edit_pool(requester, department_id).is_ok();
            facts.pools.insert(pool.id, pool);
        }
    }
    for (id, name, status) in store::people(conn, &person_ids.into_iter().collect::<Vec<_>>()).await? {
        facts.people.insert(id, PersonFacts { id, name, terminated: status == PersonStatus::Terminated });
    }
    facts.seats = store::held(conn, &seats).await?;
    for (pool, person) in store::holders(conn, &retiring).await? {
        facts.holders.entry(pool).or_default().push(person);
    }
    let mut checked = rules::check(&ops, &facts, Some(MAX_OPERATIONS));
    errors.append(&mut checked.errors);
    errors.sort_by_key(|e| (e.row, e.path.clone()));
    checked.errors = errors;
    Ok(checked)
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
    access::may_request_changes(&actor.user)?;
    let (title, reason) = check_heading(&input.title, &input.reason, input.operations.len(), "operations")?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let checked = check(&mut tx, &actor.user, &input.operations).await?;
    let content = Content { operations: &input.operations, errors: &checked.errors, preview: &checked.preview };
    let id = store_draft(&mut tx, actor, &title, &reason, &content, "json", now).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Store a draft and ledger its creation; `from` says how it was sent (`json`, `csv`).
async fn store_draft(
    tx: &mut Conn,
    actor: &Actor,
    title: &str,
    reason: &str,
    content: &Content<'_>,
    from: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    let id = store::insert(tx, title, reason, actor.user.id, content, now).await?;
    let record = serde_json::json!({"id": id, "title": title, "operations": content.operations.len(),
        "errors": content.errors.len(), "from": from});
    let change = Change::created("change_request.create", "change_request", Some(id), &record);
    ledger::record(tx, now, actor.ledger_name(), change).await?;
    Ok(id)
}

fn visible(actor: &Actor, stored: Option<StoredChange>) -> AppResult<StoredChange> {
    let reader = access::change_request_reader(&actor.user)?;
    match stored {
        Some(s) if reader.sees(s.requested_by.id) => Ok(s),
        _ => Err(AppError::NotFound("change request")),
    }
}

fn shown(actor: &Actor, s: StoredChange) -> ChangeRequest {
    let can_decide = s.status == ChangeStatus::Submitted
        && access::may_decide_change_request(&actor.user, s.requested_by.id).is_ok();
    ChangeRequest {
        id: s.id,
        title: s.title,
        reason: s.reason,
        status: s.status,
        requested_by: s.requested_by,
        created_at: s.created_at,
        submitted_at: s.submitted_at,
        decided_by: s.decided_by,
        decided_at: s.decided_at,
        decision_comment: s.decision_comment,
        applied_at: s.applied_at,
        operations: s.operations,
        errors: s.errors,
        preview: s.preview,
        can_decide,
        version: s.version,
    }
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    Ok(shown(actor, visible(actor, store::get(&db.read, id).await?)?))
}

/// Newest first; license owners see their own requests.
pub async fn list(db: &Db, actor: &Actor, q: &ChangeRequestQuery) -> AppResult<Page<ChangeRequestSummary>> {
    let reader = access::change_request_reader(&actor.user)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            ChangeStatus::parse(s)
                .ok_or_else(|| AppError::field("status", "must be draft, submitted, approved, rejected or applied"))?,
        ),
    };
    let requested_by = match (reader, q.mine.unwrap_or(false)) {
        (access::ChangeReader::Own(user), _) => Some(user),
        (access::ChangeReader::All, true) => Some(actor.user.id),
        (access::ChangeReader::All, false) => None,
    };
    Ok(store::list(&db.read, &ChangeFilter { status, requested_by, page, per_page }).await?)
}

/// The request, locked for this transaction and visible to the actor, at `expected` status.
async fn locked(conn: &mut Conn, actor: &Actor, id: i64, expected: ChangeStatus) -> AppResult<StoredChange> {
    let status = store::lock(conn, id).await?;
    let stored = visible(actor, if status.is_some() { store::get(&mut *conn, id).await? } else { None })?;
    if stored.status != expected {
        let what = match expected {
            ChangeStatus::Draft => "submitted",
            ChangeStatus::Submitted => "approved or rejected",
            _ => "applied",
        };
        return Err(AppError::Conflict(format!(
            "This change request is {}; only a{} {} request can be {what}.",
            stored.status.as_str(),
            if expected == ChangeStatus::Approved { "n" } else { "" },
            expected.as_str(),
        )));
    }
    Ok(stored)
}

/// Queue a draft for approval, after checking every row again; with any row in error nothing is queued (422).
pub async fn submit(db: &Db, clock: &dyn Clock, actor: &Actor, id: i64) -> AppResult<ChangeRequest> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id, ChangeStatus::Draft).await?;
    access::may_edit_change_request(&actor.user, stored.requested_by.id)?;
    let checked = check(&mut tx, &actor.user, &stored.operations).await?;
    let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
    store::set_checked(&mut tx, id, &content, now).await?;
    if !checked.errors.is_empty() {
        // The errors found are kept on the draft for its author to fix.
        tx.commit().await?;
        return Err(AppError::validation(checked.errors));
    }
    store::step(&mut tx, id, ChangeStatus::Draft, Step::Submit, now).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::event("change_request.submit", "change_request", Some(id)),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Approve or reject a submitted request: approvers and admins, never its requester (403 whatever their roles).
pub async fn decide(
    db: &Db,
    clock: &dyn Clock,
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
    let stored = locked(&mut tx, actor, id, ChangeStatus::Submitted).await?;
    access::may_decide_change_request(&actor.user, stored.requested_by.id)?;
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let (to, action) = if approve {
        (ChangeStatus::Approved, "change_request.approve")
    } else {
        (ChangeStatus::Rejected, "change_request.reject")
    };
    store::step(&mut tx, id, ChangeStatus::Submitted, Step::Decide { to, by: actor.user.id, comment }, now).await?;
    let record = serde_json::json!({"status": to.as_str(), "comment": comment});
    ledger::record(&mut tx, now, actor.ledger_name(), Change::created(action, "change_request", Some(id), &record))
        .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Apply an approved request in one transaction, every row checked again first: all of it or none of it.
pub async fn apply(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    id: i64,
    input: &ApplyChangeInput,
) -> AppResult<ChangeRequest> {
    if input.pilot.is_some() {
        // Refused rather than ignored: applying everything when a pilot was asked for is the failure pilots exist
        // to prevent.
        return Err(AppError::field("pilot", "pilot runs are not available yet: apply the whole request"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stored = locked(&mut tx, actor, id, ChangeStatus::Approved).await?;
    access::may_apply_change_request(&actor.user, stored.requested_by.id)?;
    let requester = users::load_in(&mut tx, stored.requested_by.id)
        .await?
        .ok_or_else(|| AppError::internal(format!("change request {id}: its requester is gone")))?;
    let (ops, _) = rules::parse(&stored.operations);
    let mut pool_ids: Vec<i64> =
        ops.iter().flat_map(|(_, op)| op.pools()).collect::<BTreeSet<_>>().into_iter().collect();
    // Lock the pools in id order (two requests locking in opposite orders could otherwise wait on each other).
    pool_ids.sort_unstable();
    for pool_id in &pool_ids {
        pools::lock(&mut tx, *pool_id).await?;
    }
    let checked = check(&mut tx, &requester, &stored.operations).await?;
    if !checked.errors.is_empty() {
        return Err(AppError::Validation {
            message: format!(
                "The inventory changed since this request was approved: {} of its rows cannot be applied as they \
                 stand. Nothing was changed.",
                checked.errors.iter().filter_map(|e| e.row).collect::<BTreeSet<_>>().len()
            ),
            fields: checked.errors,
        });
    }
    if checked.preview != stored.preview {
        // Seats or costs moved since the approval (someone assigned seats, a unit cost was edited): what would be
        // applied is not what was approved, so it goes back to its requester to submit and be approved again.
        let content = Content { operations: &stored.operations, errors: &checked.errors, preview: &checked.preview };
        store::set_checked(&mut tx, id, &content, now).await?;
        store::step(&mut tx, id, ChangeStatus::Approved, Step::Reopen, now).await?;
        ledger::record(
            &mut tx,
            now,
            actor.ledger_name(),
            Change::event("change_request.reopen", "change_request", Some(id)),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::Conflict(
            "The inventory changed since this request was approved, so applying it now would do something other \
             than what was approved. Nothing was changed; it is a draft again with its new preview, to submit for \
             approval once more."
                .into(),
        ));
    }
    let who = actor.ledger_name();
    let freed = store::holders(&mut tx, &plan_retired(&ops)).await?;
    let mut plan = Plan::default();
    for (_, op) in &ops {
        plan.add(*op);
    }
    store::retire(&mut tx, &plan.retire, now).await?;
    store::remove_seats(&mut tx, &plan.remove).await?;
    store::hand_over(&mut tx, &plan.hand_over, who, now).await?;
    store::add_seats(&mut tx, &plan.add, who, now).await?;
    let seat_counts = checked
        .preview
        .pools
        .iter()
        .filter(|p| plan.set_seats.contains(&p.pool_id))
        .filter_map(|p| p.seats_purchased_after.map(|n| (p.pool_id, n, p.annual_cost_after.amount_minor)))
        .collect::<Vec<_>>();
    store::set_seats(&mut tx, &seat_counts, now).await?;
    store::recount(&mut tx, &pool_ids).await?;
    let changes = stored
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let record = serde_json::json!({"change_request_id": id, "row": i + 1, "operation": op});
            let pool = op.pool_id.or(op.from_pool_id);
            Pending::of(Change::created("change_request.operation", "pool", pool, &record))
        })
        .chain(freed.iter().map(|(pool, person)| {
            let record = serde_json::json!({"change_request_id": id, "person_id": person, "pool_retired": true});
            Pending::of(Change::removed("pool.seat_unassign", "pool", Some(*pool), &record))
        }))
        .chain([Pending::of(Change::event("change_request.apply", "change_request", Some(id)))])
        .collect::<Result<Vec<_>, _>>()?;
    ledger::record_many(&mut tx, now, who, changes).await?;
    if !store::step(&mut tx, id, ChangeStatus::Approved, Step::Applied, now).await? {
        return Err(AppError::internal(format!("change request {id} left `approved` under its row lock")));
    }
    tx.commit().await?;
    get(db, actor, id).await
}

fn plan_retired(ops: &[(u64, Operation)]) -> Vec<i64> {
    ops.iter()
        .filter_map(|(_, op)| match op {
            Operation::RetirePool { pool_id } => Some(*pool_id),
            _ => None,
        })
        .collect()
}

/// The writes of a checked batch, grouped by kind (a checked batch changes each seat once, so order is free).
#[derive(Default)]
struct Plan {
    add: Vec<(i64, i64)>,
    remove: Vec<(i64, i64)>,
    hand_over: Vec<(i64, i64, i64)>,
    set_seats: BTreeSet<i64>,
    retire: Vec<i64>,
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
        }
    }
}

/// Where a CSV file's names point: pools by lower-case name (all that carry it), people by e-mail or employee id.
struct Names {
    pools: HashMap<String, Vec<i64>>,
    people: HashMap<PersonKey, i64>,
}

impl Names {
    async fn load(conn: &mut Conn, rows: &[CsvRow]) -> AppResult<Names> {
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
        for (id, name) in store::pools_named(conn, &pool_names.into_iter().collect::<Vec<_>>()).await? {
            pools.entry(name).or_default().push(id);
        }
        let mut people = HashMap::new();
        let (emails, employee_ids): (Vec<_>, Vec<_>) =
            (emails.into_iter().collect(), employee_ids.into_iter().collect());
        for (id, email, employee_id) in store::people_keyed(conn, &emails, &employee_ids).await? {
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
    let names = Names::load(&mut tx, &rows).await?;
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
    let checked = check(&mut tx, &actor.user, &operations).await?;
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
    let id = store_draft(&mut tx, actor, &title, &reason, &content, "csv", now).await?;
    tx.commit().await?;
    get(db, actor, id).await
}
