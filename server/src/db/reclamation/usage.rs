//! Usage per person and pool, by source, and the seats a policy looks at with what is known of their holders.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

use seatwise_types::{PersonStatus, SeatSignIn};

use crate::clock::to_db;
use crate::db::bulk::{self, Col, Statement};
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::reclamation::{Holder, InUse, Usage};

/// Record what `source` says of each (pool id, person id): the last use, or `None` for never; replacing what the
/// same source said before of the same seat.
pub async fn set(
    conn: &mut Conn,
    signals: &[(i64, i64, Option<DateTime<Utc>>)],
    source: &str,
    read_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let cols = &[Col::Int("pool_id"), Col::Int("person_id"), Col::Text("last_used_at")];
    let rows: Vec<(i64, i64, Option<String>)> = signals.iter().map(|(p, pe, at)| (*p, *pe, at.map(to_db))).collect();
    let at = to_db(read_at);
    // An upsert on the key (pool, person, source): each row finds its own earlier signal through the primary key.
    // (A delete of the earlier signals that looked each one up in the chunk's rows read the chunk again for every
    // signal the source already had: quadratic on SQLite.) `WHERE 1 = 1` keeps SQLite from reading the upsert's
    // ON as a join's.
    let upsert = Statement {
        sql: "INSERT INTO usage_signals (pool_id, person_id, source, last_used_at, read_at) \
              SELECT r.pool_id, r.person_id, $2, r.last_used_at, $3 FROM {rows} WHERE 1 = 1 \
              ON CONFLICT (pool_id, person_id, source) \
              DO UPDATE SET last_used_at = excluded.last_used_at, read_at = excluded.read_at",
        cols,
        args: &[source, &at],
    };
    bulk::execute(conn, &upsert, &rows).await?;
    Ok(())
}

/// A usage signal read under `prefix` (`s_source`, `s_last_used_at`, `s_read_at`), if the row has one.
fn signal_of(c: &Cols<'_>, prefix: &str) -> Result<Option<Usage>, sqlx::Error> {
    match c.opt_text(&format!("{prefix}_source"))? {
        Some(source) => Ok(Some(Usage {
            last_used_at: c.opt_timestamp(&format!("{prefix}_last_used_at"))?,
            read_at: c.timestamp(&format!("{prefix}_read_at"))?,
            source,
        })),
        None => Ok(None),
    }
}

/// A time read as seconds since the epoch.
fn at_second(c: &Cols<'_>, column: &str, secs: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| c.bad(column, &secs.to_string(), "not a time"))
}

/// A seat as first read: (assignment id, person id, pool id, assigned at, its pool's signal from one source).
type SeatSignal = (i64, i64, i64, DateTime<Utc>, Option<Usage>);

/// What a policy reads of a holder.
struct HolderFacts {
    status: PersonStatus,
    department_id: Option<i64>,
    start_date: Option<chrono::NaiveDate>,
    vip: bool,
}

/// Every person-held seat of these pools with its holder and usage, in seat order, but for the seats `in_use`
/// passes over (used lately, by a holder whose status the policy does not look for). Usage comes from the usage
/// signals of the seat's pool and, for pools a Microsoft 365 SKU maps to, from the holder's Entra sign-ins; several
/// sources are combined by `Usage::combine`. Read as it streams: a million seats are never held twice.
pub async fn holders(conn: &mut Conn, pool_ids: &[i64], in_use: &InUse) -> Result<Vec<Holder>, sqlx::Error> {
    if pool_ids.is_empty() {
        return Ok(Vec::new());
    }
    let statuses: Vec<&str> = in_use.statuses.iter().map(|s| s.as_str()).collect();
    holders_where(conn, |sql| {
        sql.push_in("a.pool_id", pool_ids);
        sql.push(" AND (NOT EXISTS (SELECT 1 FROM usage_signals u WHERE u.pool_id = a.pool_id AND u.person_id = a.person_id AND ");
        // Stored times are all `to_db`'s fixed width, so text compares as time (no cast per signal).
        match in_use.used_after {
            Some(t) => sql.push("u.last_used_at > ").bind(to_db(t)),
            None => sql.push("u.last_used_at IS NOT NULL"),
        };
        sql.push(")");
        if !statuses.is_empty() {
            sql.push(" OR a.person_id IN (SELECT pe.id FROM people pe WHERE ").push_in_text("pe.status", &statuses).push(")");
        }
        sql.push(")");
    })
    .await
}

fn is_postgres(conn: &Conn) -> bool {
    crate::db::Backend::of(conn) == crate::db::Backend::Postgres
}

/// A stored time as whole seconds since the epoch, in SQL: cheaper to read than text.
fn epoch(postgres: bool, column: &str) -> String {
    if postgres {
        format!("CAST(EXTRACT(EPOCH FROM CAST({column} AS timestamptz)) AS BIGINT)")
    } else {
        format!("unixepoch({column})")
    }
}

/// The seats one person holds, with their usage as [`holders`] reads it (My seats).
pub async fn seats_of(conn: &mut Conn, person_id: i64) -> Result<Vec<Holder>, sqlx::Error> {
    holders_where(conn, |sql| {
        sql.push("a.person_id = ").bind(person_id);
    })
    .await
}

/// Read in parts rather than one join, because a policy over a product reads a million seats: the seats with their
/// pool's signals (one indexed join, no sort: rows are put in seat order here), then each holder's facts once per
/// person, and the holders' Entra sign-ins only when a pool is mapped to a Microsoft 365 SKU.
async fn holders_where(conn: &mut Conn, filter: impl FnOnce(&mut Sql)) -> Result<Vec<Holder>, sqlx::Error> {
    use futures_util::TryStreamExt;
    // Times as whole seconds since the epoch: a million seats' text timestamps would each be copied twice and
    // parsed, which cost more than the query itself.
    let postgres = is_postgres(conn);
    let epoch = |column: &str| epoch(postgres, column);
    let mut sql = Sql::new(&format!(
        "SELECT a.id AS assignment_id, a.person_id, a.pool_id, {} AS assigned_at, s.source AS s_source, \
           {} AS s_last_used_at, {} AS s_read_at \
         FROM seat_assignments a LEFT JOIN usage_signals s ON s.pool_id = a.pool_id AND s.person_id = a.person_id \
         WHERE a.person_id IS NOT NULL AND ",
        epoch("a.assigned_at"),
        epoch("s.last_used_at"),
        epoch("s.read_at")
    ));
    filter(&mut sql);
    let mut seats: Vec<SeatSignal> = Vec::new();
    let mut rows = sql.query().fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let c = Cols::new(&row, "seat_assignments");
        let s = c.of("usage_signals");
        let signal = match s.opt_text("s_source")? {
            Some(source) => Some(Usage {
                last_used_at: s.opt_i64("s_last_used_at")?.map(|t| at_second(&s, "s_last_used_at", t)).transpose()?,
                read_at: at_second(&s, "s_read_at", s.i64("s_read_at")?)?,
                source,
            }),
            None => None,
        };
        let assigned_at = at_second(&c, "assigned_at", c.i64("assigned_at")?)?;
        seats.push((c.i64("assignment_id")?, c.i64("person_id")?, c.i64("pool_id")?, assigned_at, signal));
    }
    drop(rows);
    seats.sort_unstable_by_key(|s| s.0);
    let mut people: Vec<i64> = seats.iter().map(|s| s.1).collect();
    people.sort_unstable();
    people.dedup();
    let facts = holder_facts(conn, &people).await?;
    let mapped: HashSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT DISTINCT pool_id FROM sku_mappings WHERE pool_id IS NOT NULL")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let mut sign_ins: HashMap<i64, Vec<Usage>> = HashMap::new();
    if seats.iter().any(|s| mapped.contains(&s.2)) {
        let statement = bulk::over_ids(
            "SELECT g.person_id, g.source AS g_source, g.last_sign_in_at AS g_last_used_at, g.read_at AS g_read_at \
             FROM person_signins g WHERE g.person_id IN (SELECT r.id FROM {rows})",
            &[],
        );
        for r in bulk::fetch(conn, &statement, &bulk::ids(&people)).await? {
            let c = Cols::new(&r, "person_signins");
            if let Some(u) = signal_of(&c, "g")? {
                sign_ins.entry(c.i64("person_id")?).or_default().push(u);
            }
        }
    }
    let mut out: Vec<Holder> = Vec::with_capacity(seats.len());
    let mut signals: Vec<Usage> = Vec::new();
    for (assignment_id, person_id, pool_id, assigned_at, signal) in seats {
        if out.last().is_none_or(|h| h.assignment_id != assignment_id) {
            if let Some(last) = out.last_mut() {
                last.usage = Usage::combine(std::mem::take(&mut signals));
            }
            let f = facts.get(&person_id).ok_or_else(|| {
                sqlx::Error::Decode(format!("seat {assignment_id}: its holder {person_id} is not in people").into())
            })?;
            out.push(Holder {
                assignment_id,
                person_id,
                pool_id,
                status: f.status,
                department_id: f.department_id,
                start_date: f.start_date,
                assigned_at,
                vip: f.vip,
                usage: None,
            });
            if mapped.contains(&pool_id) {
                signals.extend(sign_ins.get(&person_id).into_iter().flatten().cloned());
            }
        }
        signals.extend(signal);
    }
    if let Some(last) = out.last_mut() {
        last.usage = Usage::combine(signals);
    }
    Ok(out)
}

/// Status, department, start date and VIP mark of these people, by id.
async fn holder_facts(conn: &mut Conn, people: &[i64]) -> Result<HashMap<i64, HolderFacts>, sqlx::Error> {
    let statement = bulk::over_ids(
        "SELECT pe.id, pe.status, pe.department_id, pe.vip, pe.start_date FROM people pe \
         WHERE pe.id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(people))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            let facts = HolderFacts {
                status: c.parsed("status", PersonStatus::parse)?,
                department_id: c.opt_i64("department_id")?,
                start_date: c.opt_date("start_date")?,
                vip: c.flag("vip")?,
            };
            Ok((c.i64("id")?, facts))
        })
        .collect()
}

/// Pools of products by lower-case product name, still in use: (pool id, lower-case product name).
pub async fn pools_of_products(conn: &mut Conn, names: &[String]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT p.id, LOWER(pr.name) AS product FROM pools p JOIN products pr ON pr.id = p.product_id \
              WHERE p.retired_at IS NULL AND LOWER(pr.name) IN (SELECT r.name FROM {rows}) ORDER BY p.id",
        cols: &[Col::Text("name")],
        args: &[],
    };
    let rows: Vec<(String,)> = names.iter().map(|n| (n.clone(),)).collect();
    bulk::fetch(conn, &statement, &rows)
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok((c.i64("id")?, c.text("product")?))
        })
        .collect()
}

/// Which of these pool ids exist and are in use.
pub async fn pools_in_use(conn: &mut Conn, ids: &[i64]) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM pools WHERE retired_at IS NULL AND ");
    sql.push_in("id", ids);
    sql.query_scalar::<i64>().fetch_all(conn).await.map(|v| v.into_iter().collect())
}

/// The latest usage signal of each of these seats (pool id, person id) that has one; a seat with signals from
/// several sources gets its latest.
pub async fn sign_ins(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<Vec<SeatSignIn>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT u.pool_id, u.person_id, u.last_used_at, u.source FROM {rows} JOIN usage_signals u \
              ON u.pool_id = r.pool_id AND u.person_id = r.person_id",
        cols: &[Col::Int("pool_id"), Col::Int("person_id")],
        args: &[],
    };
    let mut latest: HashMap<(i64, i64), SeatSignIn> = HashMap::new();
    for r in bulk::fetch(conn, &statement, seats).await? {
        let c = Cols::new(&r, "usage_signals");
        let seen = SeatSignIn {
            pool_id: c.i64("pool_id")?,
            person_id: c.i64("person_id")?,
            last_used_at: c.opt_timestamp("last_used_at")?,
            source: c.text("source")?,
        };
        let key = (seen.pool_id, seen.person_id);
        if latest.get(&key).is_none_or(|s| seen.last_used_at > s.last_used_at) {
            latest.insert(key, seen);
        }
    }
    Ok(latest.into_values().collect())
}
