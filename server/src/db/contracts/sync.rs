//! Copying a contract's running term onto the pools it covers.

use chrono::NaiveDate;

use crate::db::decode::Cols;
use crate::db::Conn;

/// The contract dates a pool carries (copied from its contract's running term).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoolContractDates {
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
    pub cancel_by: Option<NaiveDate>,
    pub auto_renew: bool,
    pub notice_days: Option<i64>,
}

/// One pool whose contract dates a sync changed, for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDatesSync {
    pub pool_id: i64,
    pub before: PoolContractDates,
    pub after: PoolContractDates,
}

/// The contracts with a pool whose end date is not its running term's (what the daily job's sync would change),
/// read without a write lock so the job can then sync them a few at a time.
pub async fn out_of_sync(conn: &mut Conn, today: NaiveDate) -> Result<Vec<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT contract_id FROM pools WHERE contract_id IS NOT NULL AND COALESCE(contract_end, '') <> {} \
         ORDER BY contract_id",
        running("end_date")
    );
    sqlx::query_scalar(&sql).bind(today.to_string()).fetch_all(&mut *conn).await
}

/// A column of the pool's contract's running term (the latest one started by `$1`, else the first), as SQL.
fn running(col: &str) -> String {
    format!(
        "(SELECT t.{col} FROM contract_terms t WHERE t.contract_id = pools.contract_id \
         ORDER BY CASE WHEN t.start_date <= $1 THEN -t.seq ELSE t.seq + 1000000 END LIMIT 1)"
    )
}

/// Copy each contract's running term (the latest one that has started, else the first) onto its pools, so the
/// inventory's contract dates and owners' attention lists follow renewals. For one contract, or for every pool
/// whose end date differs (the daily job). Returns each pool it changed with its dates before and after, read in
/// the same transaction as the write.
pub async fn sync_running_terms(
    conn: &mut Conn,
    today: NaiveDate,
    contract_id: Option<i64>,
) -> Result<Vec<PoolDatesSync>, sqlx::Error> {
    let contract_col = |col: &str| format!("(SELECT c.{col} FROM contracts c WHERE c.id = pools.contract_id)");
    let select = format!(
        "SELECT id, contract_start, contract_end, cancel_by, auto_renew, notice_days, {} AS r_start, {} AS r_end, \
         {} AS r_cancel_by, {} AS r_auto_renew, {} AS r_notice_days FROM pools \
         WHERE contract_id IS NOT NULL AND (contract_id = $2 OR ($2 = 0 AND COALESCE(contract_end, '') <> {}))",
        running("start_date"),
        running("end_date"),
        running("cancel_by"),
        contract_col("auto_renew"),
        contract_col("notice_days"),
        running("end_date"),
    );
    let rows =
        sqlx::query(&select).bind(today.to_string()).bind(contract_id.unwrap_or(0)).fetch_all(&mut *conn).await?;
    let mut changes = Vec::new();
    for r in &rows {
        let p = Cols::new(r, "pools");
        let before = PoolContractDates {
            contract_start: p.opt_date("contract_start")?,
            contract_end: p.opt_date("contract_end")?,
            cancel_by: p.opt_date("cancel_by")?,
            auto_renew: p.flag("auto_renew")?,
            notice_days: p.opt_i64("notice_days")?,
        };
        // The running term's values; NULL only when the contract has no term (a pool keeps no dates then).
        let t = Cols::new(r, "contract_terms");
        let after = PoolContractDates {
            contract_start: t.opt_date("r_start")?,
            contract_end: t.opt_date("r_end")?,
            cancel_by: t.opt_date("r_cancel_by")?,
            auto_renew: t.opt_flag("r_auto_renew")?.unwrap_or(false),
            notice_days: t.opt_i64("r_notice_days")?,
        };
        if before != after {
            changes.push(PoolDatesSync { pool_id: p.i64("id")?, before, after });
        }
    }
    for chunk in changes.chunks(500) {
        let ids: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let text = format!(
            "UPDATE pools SET contract_start = {}, contract_end = {}, cancel_by = {}, auto_renew = {}, \
             notice_days = {}, version = version + 1 WHERE id IN ({})",
            running("start_date"),
            running("end_date"),
            running("cancel_by"),
            contract_col("auto_renew"),
            contract_col("notice_days"),
            ids.join(", "),
        );
        let mut q = sqlx::query(&text).bind(today.to_string());
        for c in chunk {
            q = q.bind(c.pool_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(changes)
}
