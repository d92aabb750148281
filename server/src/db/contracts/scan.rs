//! What the daily renewal job scans.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::db::decode::Cols;
use crate::db::Sql;
use crate::domain::renewals::ROLLING_TERM_MONTHS;

/// What the daily job needs about every term that could raise an alert or renew itself today.
#[derive(Debug, Clone)]
pub struct JobTerm {
    pub contract_id: i64,
    pub term_id: i64,
    pub seq: i64,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub term_months: i64,
    pub anchor: NaiveDate,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub price_minor: Option<i64>,
    pub renewal_price_minor: Option<i64>,
    pub seats: Option<i64>,
    pub tier: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_stage: Option<i64>,
    pub last_review: Option<NaiveDate>,
    pub missed_raised: bool,
}

/// Latest undecided terms whose date that matters lies between `today` and `horizon`, rolling subscriptions,
/// auto-renewing terms that have ended (they renew themselves) or whose cancel-by date passed; of `only` these
/// contracts when given.
pub async fn job_terms(
    db: &AnyPool,
    today: NaiveDate,
    horizon: NaiveDate,
    only: Option<&[i64]>,
) -> Result<Vec<JobTerm>, sqlx::Error> {
    let (today, horizon) = (today.to_string(), horizon.to_string());
    let mut sql = Sql::new(
        "SELECT c.id AS contract_id, t.id AS term_id, t.seq, c.auto_renew, c.notice_days, c.term_months, \
         c.cycle_anchor, t.start_date, t.end_date, t.price_minor, c.renewal_price_minor, t.seats, t.tier, c.created_at, \
         (SELECT MIN(a.stage_days) FROM alerts a WHERE a.term_id = t.id AND a.kind <> 'review') AS last_stage, \
         (SELECT MAX(a.due_date) FROM alerts a WHERE a.contract_id = c.id AND a.kind = 'review') AS last_review, \
         (SELECT COUNT(*) FROM alerts a WHERE a.term_id = t.id AND a.missed = 1) AS missed_raised \
         FROM contract_terms t JOIN contracts c ON c.id = t.contract_id \
         WHERE t.decision IS NULL \
           AND t.seq = (SELECT MAX(t2.seq) FROM contract_terms t2 WHERE t2.contract_id = t.contract_id) \
           AND ((t.key_date >= ",
    );
    sql.bind(today.clone()).push(" AND t.key_date <= ").bind(horizon);
    // Rolling subscriptions (`domain::renewals::is_rolling`) are reviewed whatever their dates.
    sql.push(") OR (c.auto_renew = 1 AND c.term_months = ").bind(ROLLING_TERM_MONTHS);
    sql.push(") OR (c.auto_renew = 1 AND t.end_date < ").bind(today.clone());
    // A cancel-by date passed undecided while the term still runs: its "missed" alert.
    sql.push(") OR (c.auto_renew = 1 AND t.key_date < ").bind(today.clone()).push(" AND t.end_date >= ").bind(today);
    sql.push("))");
    if let Some(ids) = only {
        sql.push(" AND ").push_in("c.id", ids);
    }
    let rows = sql.query().fetch_all(db).await?;
    // A row that does not decode (a date stored unreadably) is logged and skipped: the job goes on.
    let terms = rows.iter().filter_map(|r| match job_term(r) {
        Ok(t) => Some(t),
        Err(e) => {
            let contract_id = Cols::new(r, "contracts").i64("contract_id").ok();
            tracing::warn!(?contract_id, error = %e, "renewal job skips a contract it cannot read");
            None
        }
    });
    Ok(terms.collect())
}

fn job_term(r: &AnyRow) -> Result<JobTerm, sqlx::Error> {
    let c = Cols::new(r, "contracts");
    let t = Cols::new(r, "contract_terms");
    let a = Cols::new(r, "alerts");
    Ok(JobTerm {
        contract_id: c.i64("contract_id")?,
        term_id: t.i64("term_id")?,
        seq: t.i64("seq")?,
        auto_renew: c.flag("auto_renew")?,
        notice_days: c.i64("notice_days")?,
        term_months: c.i64("term_months")?,
        anchor: c.date("cycle_anchor")?,
        start: t.date("start_date")?,
        end: t.date("end_date")?,
        price_minor: t.opt_money_minor("price_minor")?,
        renewal_price_minor: c.opt_money_minor("renewal_price_minor")?,
        seats: t.opt_i64("seats")?,
        tier: t.opt_text("tier")?,
        created_at: c.timestamp("created_at")?,
        last_stage: a.opt_i64("last_stage")?,
        last_review: a.opt_date("last_review")?,
        missed_raised: a.i64("missed_raised")? > 0,
    })
}
