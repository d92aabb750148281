//! A request from a CSV file: rows by pool and person names, e-mail addresses or employee ids.

use std::collections::{BTreeSet, HashMap, HashSet};

use seatwise_types::{ChangeOrigin, ChangeRequest, FieldError, OperationInput, User};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::change_requests::{self as store, Content, NewChange};
use crate::db::{Conn, Db};
use crate::domain::access;
use crate::domain::change_csv::{self as csv, CsvRow, PersonKey, PoolKey};
use crate::error::{AppError, AppResult};

use super::*;

/// Where a CSV file's names point: pools by lower-case name (all that carry it, among those the reader may see: a
/// pool outside their scope is as unknown by name as by id), people by e-mail or employee id.
pub(super) struct Names {
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
