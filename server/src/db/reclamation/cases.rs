//! Reclamation cases: one per selected seat, at most one open per seat (a unique index says so).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use seatwise_types::{Case, CaseOrigin, CaseQuery, CaseState, Choice, FindingReason, ReclaimAction};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::{PoolPlace, Reach};
use crate::domain::campaign as domain_campaign;
use crate::domain::reclamation::Opening;
use crate::domain::seat_snapshot::SeatBefore;

/// The open states as stored.
const OPEN: [&str; 4] = [
    CaseState::OPEN[0].as_str(),
    CaseState::OPEN[1].as_str(),
    CaseState::OPEN[2].as_str(),
    CaseState::OPEN[3].as_str(),
];

/// A case to open: the seat and why, and the state and hold it starts with.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub opening: Opening,
    pub state: CaseState,
    pub hold_reason: Option<String>,
}

/// A stored case with what its service needs besides the shown fields.
#[derive(Debug, Clone)]
pub struct StoredCase {
    pub case: Case,
    /// Where the case's pool sits, for access.
    pub place: PoolPlace,
    pub removed: Option<SeatBefore>,
    /// The campaign letters that asked about it and that wait for an answer now.
    pub letters: Letters,
}

/// A campaign case's letters: the one that first asked, and the one an answer is awaited on now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Letters {
    pub asked: Option<i64>,
    pub waiting: Option<i64>,
}

const SELECT: &str =
    "SELECT c.id, c.pool_id, p.name AS pool_name, p.department_id, p.owner_id AS pool_owner_id, c.person_id, \
       pe.name AS person_name, pe.email AS person_email, c.origin, c.policy_id, c.policy_version, c.action, \
       c.target_pool_id, c.reason, c.state, c.event_at, c.opened_at, c.deadline, c.hold_reason, \
       c.change_request_id, c.removed, c.revoked_at, c.revoke_ms, c.closed_at, c.closed_by, c.note, c.version, \
       c.campaign_id, c.asked_letter_id, c.letter_id, c.answer, c.answered_at, c.answered_by, c.answer_comment \
     FROM reclamation_cases c JOIN pools p ON p.id = c.pool_id JOIN people pe ON pe.id = c.person_id";

fn case_from(r: &AnyRow) -> Result<StoredCase, sqlx::Error> {
    let c = Cols::new(r, "reclamation_cases");
    let reason: FindingReason = c.json("reason")?;
    let state = c.parsed("state", CaseState::parse)?;
    let campaign_id = c.opt_i64("campaign_id")?;
    let change_request_id = c.opt_i64("change_request_id")?;
    let letters = Letters { asked: c.opt_i64("asked_letter_id")?, waiting: c.opt_i64("letter_id")? };
    Ok(StoredCase {
        letters,
        place: PoolPlace::new(c.of("pools").i64("department_id")?, c.of("pools").opt_i64("pool_owner_id")?),
        removed: c.opt_json("removed")?,
        case: Case {
            id: c.i64("id")?,
            pool_id: c.i64("pool_id")?,
            pool_name: c.of("pools").text("pool_name")?,
            person_id: c.i64("person_id")?,
            person_name: c.of("people").text("person_name")?,
            person_email: c.of("people").text("person_email")?,
            origin: c.parsed("origin", CaseOrigin::parse)?,
            policy_id: c.opt_i64("policy_id")?,
            policy_version: c.opt_i64("policy_version")?,
            action: c.parsed("action", ReclaimAction::parse)?,
            target_pool_id: c.opt_i64("target_pool_id")?,
            detail: reason.sentence(),
            reason,
            state,
            event_at: c.timestamp("event_at")?,
            opened_at: c.timestamp("opened_at")?,
            deadline: c.opt_timestamp("deadline")?,
            hold_reason: c.opt_text("hold_reason")?,
            change_request_id,
            campaign_id,
            answer: c.opt_parsed("answer", Choice::parse)?,
            answered_at: c.opt_timestamp("answered_at")?,
            answered_by: c.opt_text("answered_by")?,
            answer_comment: c.opt_text("answer_comment")?,
            awaiting_owner: domain_campaign::awaits_owner(state, campaign_id, change_request_id, letters.waiting),
            revoked_at: c.opt_timestamp("revoked_at")?,
            revoke_ms: c.opt_i64("revoke_ms")?,
            closed_at: c.opt_timestamp("closed_at")?,
            closed_by: c.opt_text("closed_by")?,
            note: c.opt_text("note")?,
            restorable_until: None,
            version: c.i64("version")?,
        },
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Seats (pool id, person id) of these pools that already have an open case.
pub async fn open_seats(conn: &mut Conn, pool_ids: &[i64]) -> Result<HashSet<(i64, i64)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT pool_id, person_id FROM reclamation_cases WHERE ");
    sql.push_in("pool_id", pool_ids).push(" AND ").push_in_text("state", &OPEN);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_cases");
            Ok((c.i64("pool_id")?, c.i64("person_id")?))
        })
        .collect()
}

/// Open these cases; their ids in order.
pub async fn insert(conn: &mut Conn, cases: &[NewCase], now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    let cols = &[
        Col::Int("pool_id"),
        Col::Int("person_id"),
        Col::Text("origin"),
        Col::Int("policy_id"),
        Col::Int("policy_version"),
        Col::Text("action"),
        Col::Int("target_pool_id"),
        Col::Text("reason"),
        Col::Text("state"),
        Col::Text("event_at"),
        Col::Text("hold_reason"),
    ];
    type Row = (
        i64,
        i64,
        &'static str,
        Option<i64>,
        Option<i64>,
        &'static str,
        Option<i64>,
        String,
        &'static str,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = cases
        .iter()
        .map(|c| {
            let o = &c.opening;
            Ok((
                o.pool_id,
                o.person_id,
                o.origin.as_str(),
                o.policy.map(|(id, _)| id),
                o.policy.map(|(_, v)| v),
                o.action.as_str(),
                o.target_pool_id,
                encode(&o.reason)?,
                c.state.as_str(),
                to_db(o.event_at),
                c.hold_reason.clone(),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO reclamation_cases (pool_id, person_id, origin, policy_id, policy_version, action, \
                target_pool_id, reason, state, event_at, opened_at, hold_reason) \
              SELECT r.pool_id, r.person_id, r.origin, r.policy_id, r.policy_version, r.action, r.target_pool_id, \
                r.reason, r.state, r.event_at, $2, r.hold_reason FROM {rows} ORDER BY r.n RETURNING id",
        cols,
        args: &[&at],
    };
    bulk::insert_ids(conn, &statement, &rows).await
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE c.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(case_from).transpose()
}

/// Cases by id, in id order (any number: the ids travel as one JSON parameter per chunk).
pub async fn by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    let sql = format!("{SELECT} WHERE c.id IN (SELECT r.id FROM {{rows}}) ORDER BY c.id");
    bulk::fetch(conn, &bulk::over_ids(&sql, &[]), &bulk::ids(&ids)).await?.iter().map(case_from).collect()
}

/// Cases matching a condition over `c` (the case), `p` (its pool) and `pe` (its holder), with its ordering.
pub async fn matching(conn: &mut Conn, cond: &Sql) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE ").append(cond);
    sql.query().fetch_all(conn).await?.iter().map(case_from).collect()
}

/// Cases a change request holds, still waiting for it.
pub async fn awaiting_change(conn: &mut Conn, change_request_id: i64) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE c.change_request_id = ").bind(change_request_id);
    sql.push(" AND c.state = 'awaiting_approval' ORDER BY c.id");
    sql.query().fetch_all(conn).await?.iter().map(case_from).collect()
}

fn filtered(q: &CaseQuery, scope: Option<&Reach>, select: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1");
    if let Some(d) = scope {
        sql.push(" AND ").push_reach("p", d);
    }
    match q.state.as_deref() {
        Some("open") => {
            sql.push(" AND ").push_in_text("c.state", &OPEN);
        }
        Some(s) => {
            sql.push(" AND c.state = ").bind(s);
        }
        None => {}
    }
    if let Some(p) = q.pool_id {
        sql.push(" AND c.pool_id = ").bind(p);
    }
    if let Some(p) = q.person_id {
        sql.push(" AND c.person_id = ").bind(p);
    }
    if let Some(p) = q.policy_id {
        sql.push(" AND c.policy_id = ").bind(p);
    }
    if let Some(k) = q.campaign_id {
        sql.push(" AND c.campaign_id = ").bind(k);
    }
    sql
}

/// A page of cases, newest first, and how many match.
pub async fn list(
    conn: &mut Conn,
    q: &CaseQuery,
    scope: Option<&Reach>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredCase>, i64), sqlx::Error> {
    let total: i64 = filtered(q, scope, "SELECT COUNT(*) FROM reclamation_cases c JOIN pools p ON p.id = c.pool_id")
        .query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    let mut sql = filtered(q, scope, SELECT);
    sql.push(" ORDER BY c.id DESC LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let items = sql.query().fetch_all(conn).await?.iter().map(case_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// What a state change writes besides the state.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    pub removed: Option<SeatBefore>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_ms: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub note: Option<String>,
    pub change_request_id: Option<i64>,
    pub hold_reason: Option<String>,
    /// Clear the hold reason (the hold ended); otherwise a `None` above keeps it.
    pub clear_hold: bool,
}

/// Move a case from `from` to `to`, writing what `closing` sets (fields it leaves `None` keep their value);
/// false when the case is no longer in `from`.
pub async fn step(
    conn: &mut Conn,
    id: i64,
    from: CaseState,
    to: CaseState,
    closing: &Closing,
) -> Result<bool, sqlx::Error> {
    Ok(step_many(conn, &[(id, from, to, closing)]).await? == 1)
}

/// Move many cases as [`step`] moves one, in one statement per chunk: (case id, from, to, what it writes). How
/// many moved; a case no longer in its `from` is left as it is.
pub async fn step_many(conn: &mut Conn, steps: &[(i64, CaseState, CaseState, &Closing)]) -> Result<u64, sqlx::Error> {
    type Row<'a> = (
        i64,
        &'a str,
        &'a str,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<&'a str>,
        Option<&'a str>,
        Option<i64>,
        i64,
        Option<&'a str>,
    );
    let rows = steps
        .iter()
        .map(|(id, from, to, c)| {
            Ok((
                *id,
                from.as_str(),
                to.as_str(),
                c.removed.as_ref().map(encode).transpose()?,
                c.revoked_at.map(to_db),
                c.revoke_ms,
                c.closed_at.map(to_db),
                c.closed_by.as_deref(),
                c.note.as_deref(),
                c.change_request_id,
                i64::from(c.clear_hold),
                c.hold_reason.as_deref(),
            ))
        })
        .collect::<Result<Vec<Row<'_>>, sqlx::Error>>()?;
    let statement = Statement {
        sql: "UPDATE reclamation_cases SET state = r.new_state, \
                removed = COALESCE(r.new_removed, reclamation_cases.removed), \
                revoked_at = COALESCE(r.new_revoked_at, reclamation_cases.revoked_at), \
                revoke_ms = COALESCE(r.new_revoke_ms, reclamation_cases.revoke_ms), \
                closed_at = COALESCE(r.new_closed_at, reclamation_cases.closed_at), \
                closed_by = COALESCE(r.new_closed_by, reclamation_cases.closed_by), \
                note = COALESCE(r.new_note, reclamation_cases.note), \
                change_request_id = COALESCE(r.new_change_request_id, reclamation_cases.change_request_id), \
                hold_reason = CASE WHEN r.clear_hold = 1 THEN NULL \
                  ELSE COALESCE(r.new_hold_reason, reclamation_cases.hold_reason) END, \
                version = reclamation_cases.version + 1 \
              FROM {rows} WHERE reclamation_cases.id = r.id AND reclamation_cases.state = r.was_state",
        cols: &[
            Col::Int("id"),
            Col::Text("was_state"),
            Col::Text("new_state"),
            Col::Text("new_removed"),
            Col::Text("new_revoked_at"),
            Col::Int("new_revoke_ms"),
            Col::Text("new_closed_at"),
            Col::Text("new_closed_by"),
            Col::Text("new_note"),
            Col::Int("new_change_request_id"),
            Col::Int("clear_hold"),
            Col::Text("new_hold_reason"),
        ],
        args: &[],
    };
    bulk::execute(conn, &statement, &rows).await
}

/// Open cases waiting for a hold to end (every one, for the daily run to look at again). A case whose seat is
/// already removed waits for its connector instead (`awaiting_target`).
pub async fn on_hold(conn: &mut Conn) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE c.state = 'awaiting_revocation' AND c.removed IS NULL ORDER BY c.id");
    sql.query().fetch_all(conn).await?.iter().map(case_from).collect()
}

/// The case whose seat of `pool_id` held by `person_id` is removed in Seatwise and waits for the target to
/// confirm it, if any.
pub async fn awaiting_target(conn: &mut Conn, pool_id: i64, person_id: i64) -> Result<Option<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE c.state = 'awaiting_revocation' AND c.removed IS NOT NULL AND c.pool_id = ").bind(pool_id);
    sql.push(" AND c.person_id = ").bind(person_id).push(" ORDER BY c.id LIMIT 1");
    sql.query().fetch_optional(conn).await?.as_ref().map(case_from).transpose()
}

/// Revocation times (milliseconds from event to removal) of cases revoked in `[from, to)`.
pub async fn revoke_times(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    scope: Option<&Reach>,
) -> Result<Vec<(DateTime<Utc>, i64)>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.revoked_at, c.revoke_ms FROM reclamation_cases c JOIN pools p ON p.id = c.pool_id \
         WHERE c.revoke_ms IS NOT NULL AND c.origin = 'offboarding' AND c.revoked_at >= ",
    );
    sql.bind(to_db(from)).push(" AND c.revoked_at < ").bind(to_db(to));
    if let Some(d) = scope {
        sql.push(" AND ").push_reach("p", d);
    }
    sql.push(" ORDER BY c.revoked_at");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_cases");
            Ok((c.timestamp("revoked_at")?, c.i64("revoke_ms")?))
        })
        .collect()
}

/// Person-held seats of these people: (pool id, person id), by pool.
pub async fn seats_of_people(conn: &mut Conn, people: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT a.pool_id, a.person_id FROM seat_assignments a WHERE a.person_id IN (SELECT r.id FROM {rows}) \
              ORDER BY a.pool_id, a.person_id",
        cols: bulk::ID,
        args: &[],
    };
    bulk::fetch(conn, &statement, &bulk::ids(people))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            Ok((c.i64("pool_id")?, c.i64("person_id")?))
        })
        .collect()
}

/// Open offboarding cases of these people (they came back).
pub async fn open_offboarding_of(conn: &mut Conn, people: &[i64]) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE c.origin = 'offboarding' AND ").push_in("c.person_id", people);
    sql.push(" AND ").push_in_text("c.state", &OPEN).push(" ORDER BY c.id");
    sql.query().fetch_all(conn).await?.iter().map(case_from).collect()
}

/// Open cases of other origins on these seats (pool id, person id): an offboarding takes them over.
pub async fn open_on_seats(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<Vec<StoredCase>, sqlx::Error> {
    let open = OPEN.map(|s| format!("'{s}'")).join(", ");
    let sql = format!(
        "{SELECT} WHERE c.origin <> 'offboarding' AND c.state IN ({open}) \
           AND EXISTS (SELECT 1 FROM {{rows}} WHERE r.pool_id = c.pool_id AND r.person_id = c.person_id) ORDER BY c.id"
    );
    let statement = Statement { sql: &sql, cols: &[Col::Int("pool_id"), Col::Int("person_id")], args: &[] };
    bulk::fetch(conn, &statement, seats).await?.iter().map(case_from).collect()
}

/// Seats of these pools whose last case was kept or restored since `since`: a person decided, and a run does not
/// take the seat again until the policy's own period has passed.
pub async fn decided_since(
    conn: &mut Conn,
    pool_ids: &[i64],
    since: DateTime<Utc>,
) -> Result<HashSet<(i64, i64)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT pool_id, person_id FROM reclamation_cases WHERE ");
    sql.push_in("pool_id", pool_ids).push(" AND state IN ('kept', 'restored') AND closed_at >= ").bind(to_db(since));
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_cases");
            Ok((c.i64("pool_id")?, c.i64("person_id")?))
        })
        .collect()
}

/// Why these cases were opened, for a history: (case id, its policy as (id, name) if a policy run opened it, the
/// reason the seat was selected).
pub async fn causes(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<Vec<(i64, Option<(i64, String)>, FindingReason)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT c.id, c.policy_id, p.name AS policy_name, c.reason FROM reclamation_cases c \
              LEFT JOIN reclamation_policies p ON p.id = c.policy_id WHERE c.id IN (SELECT r.id FROM {rows})",
        cols: bulk::ID,
        args: &[],
    };
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_cases");
            let policy = match c.opt_i64("policy_id")? {
                Some(id) => Some((id, c.of("reclamation_policies").text("policy_name")?)),
                None => None,
            };
            Ok((c.i64("id")?, policy, c.json("reason")?))
        })
        .collect()
}
