//! Seats and pools as change requests and reclamation write them, in bulk: which seats are held, adding,
//! removing and handing over seats, seat counts, retiring and restoring pools, and the snapshots a rollback or a
//! restore puts back.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;

use super::bulk::{self, over_ids, Col, Statement};
use super::decode::Cols;
use super::Conn;
use crate::clock::to_db;
use crate::domain::seat_snapshot::{PoolBefore, SeatBefore};

/// A seat as (pool id, person id).
fn seat_of(r: &AnyRow) -> Result<(i64, i64), sqlx::Error> {
    let c = Cols::new(r, "seat_assignments");
    Ok((c.i64("pool_id")?, c.i64("person_id")?))
}

const SEAT_COLS: &[Col] = &[Col::Int("pool_id"), Col::Int("person_id")];

/// Which of these seats (pool id, person id) are held.
pub async fn held(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<HashSet<(i64, i64)>, sqlx::Error> {
    let statement = Statement {
        sql: "SELECT a.pool_id, a.person_id FROM seat_assignments a JOIN {rows} \
              ON a.pool_id = r.pool_id AND a.person_id = r.person_id",
        cols: SEAT_COLS,
        args: &[],
    };
    bulk::fetch(conn, &statement, seats).await?.iter().map(seat_of).collect()
}

// --- What applying writes -------------------------------------------------------------------------------------

/// New seats (pool id, person id).
pub async fn add_seats(conn: &mut Conn, seats: &[(i64, i64)], by: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by) \
              SELECT r.pool_id, r.person_id, $2, $3 FROM {rows}",
        cols: SEAT_COLS,
        args: &[&at, by],
    };
    bulk::execute(conn, &statement, seats).await?;
    Ok(())
}

/// Seats given back (pool id, person id). The rows are the outer loop: each finds its seat through the holder's
/// index, so the cost follows the batch, not the table.
pub async fn remove_seats(conn: &mut Conn, seats: &[(i64, i64)]) -> Result<u64, sqlx::Error> {
    let statement = Statement {
        sql: "DELETE FROM seat_assignments WHERE id IN (SELECT a.id FROM {rows} JOIN seat_assignments a \
              ON a.person_id = r.person_id AND a.pool_id = r.pool_id)",
        cols: SEAT_COLS,
        args: &[],
    };
    bulk::execute(conn, &statement, seats).await
}

/// Seats that change hands on the same pool: (pool id, from person, to person). `UPDATE ... FROM` (SQLite 3.33,
/// PostgreSQL) joins each row to its seat once.
pub async fn hand_over(
    conn: &mut Conn,
    seats: &[(i64, i64, i64)],
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE seat_assignments SET person_id = r.to_id, assigned_at = $2, assigned_by = $3, device = NULL, \
                reclaim_marked_at = NULL, reclaim_reason = NULL, reclaim_latency_ms = NULL \
              FROM {rows} WHERE seat_assignments.pool_id = r.pool_id AND seat_assignments.person_id = r.from_id",
        cols: &[Col::Int("pool_id"), Col::Int("from_id"), Col::Int("to_id")],
        args: &[&at, by],
    };
    bulk::execute(conn, &statement, seats).await
}

/// New seat counts with the annual cost they make: (pool id, seats, annual cost in minor units).
pub async fn set_seats(conn: &mut Conn, pools: &[(i64, i64, i64)], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE pools SET seats_purchased = r.seats, annual_cost_minor = r.annual, updated_at = $2 \
              FROM {rows} WHERE pools.id = r.id",
        cols: &[Col::Int("id"), Col::Int("seats"), Col::Int("annual")],
        args: &[&at],
    };
    bulk::execute(conn, &statement, pools).await?;
    Ok(())
}

/// Who holds the seats of these pools: (pool id, person id), device seats left out.
pub async fn holders(conn: &mut Conn, pool_ids: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let statement = over_ids(
        "SELECT a.pool_id, a.person_id FROM seat_assignments a WHERE a.person_id IS NOT NULL \
         AND a.pool_id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(pool_ids)).await?.iter().map(seat_of).collect()
}

/// Retire pools: every seat freed, the pool kept with its history and costing nothing from now on.
pub async fn retire(conn: &mut Conn, ids: &[i64], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let args = [at.as_str()];
    let seats = over_ids("DELETE FROM seat_assignments WHERE pool_id IN (SELECT r.id FROM {rows})", &[]);
    bulk::execute(conn, &seats, &bulk::ids(ids)).await?;
    let pools =
        over_ids("UPDATE pools SET retired_at = $2, updated_at = $2, annual_cost_minor = 0 WHERE id IN (SELECT r.id FROM {rows})", &args);
    bulk::execute(conn, &pools, &bulk::ids(ids)).await?;
    Ok(())
}

/// Bring the touched pools' seat counters and versions in line with their seats.
pub async fn recount(conn: &mut Conn, ids: &[i64]) -> Result<(), sqlx::Error> {
    let statement = over_ids(
        "UPDATE pools SET seats_assigned = (SELECT COUNT(*) FROM seat_assignments a WHERE a.pool_id = pools.id), \
                version = version + 1 WHERE id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::execute(conn, &statement, &bulk::ids(ids)).await?;
    Ok(())
}

/// Pools as a snapshot keeps them.
pub async fn pools_before(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PoolBefore>, sqlx::Error> {
    let statement = over_ids(
        "SELECT p.id, p.seats_purchased, p.annual_cost_minor, p.retired_at FROM pools p \
         WHERE p.id IN (SELECT r.id FROM {rows}) ORDER BY p.id",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "pools");
            Ok(PoolBefore {
                id: c.i64("id")?,
                seats_purchased: c.opt_i64("seats_purchased")?,
                annual_cost_minor: c.money_minor("annual_cost_minor")?,
                retired: c.opt_timestamp("retired_at")?.is_some(),
            })
        })
        .collect()
}

const SEAT_BEFORE: &str =
    "a.id, a.pool_id, a.person_id, a.assigned_at, a.assigned_by, a.reclaim_marked_at, a.reclaim_reason";

fn seat_before(r: &AnyRow) -> Result<SeatBefore, sqlx::Error> {
    let c = Cols::new(r, "seat_assignments");
    Ok(SeatBefore {
        id: Some(c.i64("id")?),
        pool_id: c.i64("pool_id")?,
        person_id: c.i64("person_id")?,
        assigned_at: c.timestamp("assigned_at")?,
        assigned_by: c.opt_text("assigned_by")?,
        reclaim_marked_at: c.opt_timestamp("reclaim_marked_at")?,
        reclaim_reason: c.opt_text("reclaim_reason")?,
    })
}

/// The held seats among these (pool id, person id), and every person's seat on the `whole` pools, as they are.
pub async fn seats_before(
    conn: &mut Conn,
    seats: &[(i64, i64)],
    whole: &[i64],
) -> Result<Vec<SeatBefore>, sqlx::Error> {
    let sql = format!(
        "SELECT {SEAT_BEFORE} FROM {{rows}} JOIN seat_assignments a ON a.person_id = r.person_id AND a.pool_id = r.pool_id"
    );
    let named = Statement { sql: &sql, cols: SEAT_COLS, args: &[] };
    let mut out: Vec<SeatBefore> =
        bulk::fetch(conn, &named, seats).await?.iter().map(seat_before).collect::<Result<_, _>>()?;
    let sql = format!(
        "SELECT {SEAT_BEFORE} FROM seat_assignments a WHERE a.person_id IS NOT NULL \
         AND a.pool_id IN (SELECT r.id FROM {{rows}})"
    );
    let pools = over_ids(&sql, &[]);
    let seen: HashSet<(i64, i64)> = out.iter().map(|s| (s.pool_id, s.person_id)).collect();
    for seat in bulk::fetch(conn, &pools, &bulk::ids(whole)).await?.iter().map(seat_before) {
        let seat = seat?;
        if !seen.contains(&(seat.pool_id, seat.person_id)) {
            out.push(seat);
        }
    }
    Ok(out)
}

/// A seat as `add_seats_as_before` writes it: pool, person, assigned at and by, reclaim mark and reason.
type SeatRow<'a> = (i64, i64, String, Option<&'a str>, Option<String>, Option<&'a str>);

/// Seats given back as a snapshot had them (a rollback): when and by whom they were first assigned.
pub async fn add_seats_as_before(conn: &mut Conn, seats: &[&SeatBefore]) -> Result<(), sqlx::Error> {
    let rows: Vec<SeatRow<'_>> = seats
        .iter()
        .map(|s| {
            (
                s.pool_id,
                s.person_id,
                to_db(s.assigned_at),
                s.assigned_by.as_deref(),
                s.reclaim_marked_at.map(to_db),
                s.reclaim_reason.as_deref(),
            )
        })
        .collect();
    let statement = Statement {
        sql: "INSERT INTO seat_assignments (pool_id, person_id, assigned_at, assigned_by, reclaim_marked_at, \
                reclaim_reason) SELECT r.pool_id, r.person_id, r.assigned_at, r.assigned_by, r.reclaim_marked_at, \
                r.reclaim_reason FROM {rows}",
        cols: &[
            Col::Int("pool_id"),
            Col::Int("person_id"),
            Col::Text("assigned_at"),
            Col::Text("assigned_by"),
            Col::Text("reclaim_marked_at"),
            Col::Text("reclaim_reason"),
        ],
        args: &[],
    };
    bulk::execute(conn, &statement, &rows).await?;
    Ok(())
}

/// Retired pools back in use, each at its annual cost: (pool id, annual cost in minor units).
pub async fn restore(conn: &mut Conn, pools: &[(i64, i64)], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let statement = Statement {
        sql: "UPDATE pools SET retired_at = NULL, annual_cost_minor = r.annual, updated_at = $2 \
              FROM {rows} WHERE pools.id = r.id",
        cols: &[Col::Int("id"), Col::Int("annual")],
        args: &[&at],
    };
    bulk::execute(conn, &statement, pools).await?;
    Ok(())
}
