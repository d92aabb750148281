//! Consent campaigns and access reviews: the campaigns, the letters that ask people, and the campaign side of their
//! cases.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use seatwise_types::{Campaign, CampaignAsk, CampaignCounts, CaseState, Choice, KeepConfirmer, NoAnswer, Saving};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use crate::clock::to_db;
use crate::db::bulk;
use crate::db::decode::Cols;
use crate::db::{Conn, Sql};
use crate::domain::access::{PoolPlace, Reach};
use crate::domain::campaign::Tallied;

use super::cases::{self, StoredCase};

/// A campaign to store.
pub struct NewCampaign<'a> {
    pub name: &'a str,
    pub ask: CampaignAsk,
    pub policy: Option<(i64, i64)>,
    pub deadline: NaiveDate,
    pub deadline_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
    pub no_answer: NoAnswer,
    pub keep_confirmed_by: Option<KeepConfirmer>,
    pub cooldown_days: i64,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut Conn, c: &NewCampaign<'_>, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO reclamation_campaigns (name, ask, policy_id, policy_version, deadline, deadline_at, remind_at, \
           no_answer, keep_confirmed_by, cooldown_days, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(c.name)
    .bind(c.ask.as_str())
    .bind(c.policy.map(|p| p.0))
    .bind(c.policy.map(|p| p.1))
    .bind(c.deadline.to_string())
    .bind(to_db(c.deadline_at))
    .bind(c.remind_at.map(to_db))
    .bind(c.no_answer.as_str())
    .bind(c.keep_confirmed_by.map(|k| k.as_str()))
    .bind(c.cooldown_days)
    .bind(to_db(now))
    .bind(c.created_by)
    .fetch_one(conn)
    .await
}

const SELECT: &str = "SELECT k.id, k.name, k.ask, k.policy_id, k.policy_version, k.deadline, k.deadline_at, \
    k.remind_at, k.reminded_at, k.no_answer, k.keep_confirmed_by, k.cooldown_days, k.created_at, k.created_by, \
    k.closed_at, (SELECT COUNT(*) FROM campaign_letters l WHERE l.campaign_id = k.id) AS letters \
    FROM reclamation_campaigns k";

/// A campaign as stored, its counts and saving still to be added.
fn campaign_from(r: &AnyRow) -> Result<Campaign, sqlx::Error> {
    let c = Cols::new(r, "reclamation_campaigns");
    Ok(Campaign {
        id: c.i64("id")?,
        name: c.text("name")?,
        ask: c.parsed("ask", CampaignAsk::parse)?,
        policy_id: c.opt_i64("policy_id")?,
        policy_version: c.opt_i64("policy_version")?,
        deadline: c.date("deadline")?,
        deadline_at: c.timestamp("deadline_at")?,
        remind_at: c.opt_timestamp("remind_at")?,
        reminded_at: c.opt_timestamp("reminded_at")?,
        no_answer: c.parsed("no_answer", NoAnswer::parse)?,
        keep_confirmed_by: c.opt_parsed("keep_confirmed_by", KeepConfirmer::parse)?,
        cooldown_days: c.i64("cooldown_days")?,
        created_at: c.timestamp("created_at")?,
        created_by: c.text("created_by")?,
        closed_at: c.opt_timestamp("closed_at")?,
        letters: c.i64("letters")?,
        counts: CampaignCounts::default(),
        response_rate_percent: 0,
        saving: Saving { monthly: Vec::new(), annual: Vec::new() },
        by_department: Vec::new(),
    })
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(exec: E, id: i64) -> Result<Option<Campaign>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE k.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(campaign_from).transpose()
}

fn filtered(open: Option<bool>, scope: Option<&Reach>, select: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1");
    match open {
        Some(true) => sql.push(" AND k.closed_at IS NULL"),
        Some(false) => sql.push(" AND k.closed_at IS NOT NULL"),
        None => &mut sql,
    };
    if let Some(reach) = scope {
        sql.push(
            " AND EXISTS (SELECT 1 FROM reclamation_cases c JOIN pools p ON p.id = c.pool_id \
             WHERE c.campaign_id = k.id AND ",
        )
        .push_reach("p", reach)
        .push(")");
    }
    sql
}

/// A page of campaigns, newest first, and how many match; with a scope, those asking about a seat in it.
pub async fn list(
    conn: &mut Conn,
    open: Option<bool>,
    scope: Option<&Reach>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Campaign>, i64), sqlx::Error> {
    let total: i64 = filtered(open, scope, "SELECT COUNT(*) FROM reclamation_campaigns k")
        .query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    let mut sql = filtered(open, scope, SELECT);
    sql.push(" ORDER BY k.id DESC LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let items = sql.query().fetch_all(conn).await?.iter().map(campaign_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Whether the campaign asks about a seat in `scope` (every campaign without one).
pub async fn visible(conn: &mut Conn, id: i64, scope: Option<&Reach>) -> Result<bool, sqlx::Error> {
    let mut sql = filtered(None, scope, "SELECT COUNT(*) FROM reclamation_campaigns k");
    sql.push(" AND k.id = ").bind(id);
    Ok(sql.query_scalar::<i64>().fetch_one(conn).await? > 0)
}

/// One group of a campaign's cases for counting: the holder's department, and how many cases are in one state.
pub struct CountRow {
    pub campaign_id: i64,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub tallied: Tallied,
    pub n: i64,
}

/// The cases of these campaigns (within `scope`), grouped for counting.
pub async fn counts(conn: &mut Conn, ids: &[i64], scope: Option<&Reach>) -> Result<Vec<CountRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.campaign_id, pe.department_id, d.name AS department, c.state, c.answer, \
           CAST(CASE WHEN c.letter_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS asked_now, COUNT(*) AS n \
         FROM reclamation_cases c JOIN pools p ON p.id = c.pool_id JOIN people pe ON pe.id = c.person_id \
         LEFT JOIN departments d ON d.id = pe.department_id WHERE ",
    );
    sql.push_in("c.campaign_id", ids);
    if let Some(reach) = scope {
        sql.push(" AND ").push_reach("p", reach);
    }
    sql.push(" GROUP BY c.campaign_id, pe.department_id, d.name, c.state, c.answer, asked_now");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "reclamation_cases");
            Ok(CountRow {
                campaign_id: c.i64("campaign_id")?,
                department_id: c.of("people").opt_i64("department_id")?,
                department: c.of("departments").opt_text("department")?,
                tallied: Tallied {
                    state: c.parsed("state", CaseState::parse)?,
                    answer: c.opt_parsed("answer", Choice::parse)?,
                    asked_now: c.flag("asked_now")?,
                },
                n: c.i64("n")?,
            })
        })
        .collect()
}

/// What the removed seats of these campaigns save (restores excluded), per campaign and currency: (campaign id,
/// currency, monthly minor, annual minor).
pub async fn savings(
    conn: &mut Conn,
    ids: &[i64],
    scope: Option<&Reach>,
) -> Result<Vec<(i64, String, i64, i64)>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.campaign_id, s.currency, CAST(SUM(s.monthly_minor) AS BIGINT) AS monthly, \
           CAST(SUM(s.annual_minor) AS BIGINT) AS annual \
         FROM savings s JOIN reclamation_cases c ON c.id = s.case_id JOIN pools p ON p.id = c.pool_id \
         WHERE s.reversed_at IS NULL AND ",
    );
    sql.push_in("c.campaign_id", ids);
    if let Some(reach) = scope {
        sql.push(" AND ").push_reach("p", reach);
    }
    sql.push(" GROUP BY c.campaign_id, s.currency ORDER BY s.currency");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "savings");
            Ok((c.i64("campaign_id")?, c.text("currency")?, c.i64("monthly")?, c.i64("annual")?))
        })
        .collect()
}

/// A letter: one person asked in one campaign.
#[derive(Debug, Clone)]
pub struct StoredLetter {
    pub id: i64,
    pub campaign_id: i64,
    /// Asked to confirm a holder's Keep (a manager), rather than asked about seats.
    pub confirming: bool,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// Who a new letter goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Addressee {
    pub person_id: Option<i64>,
    pub name: String,
    pub email: String,
}

const LETTER: &str = "SELECT l.id, l.campaign_id, l.purpose, l.name, l.email, l.created_at FROM campaign_letters l";

fn letter_from(r: &AnyRow) -> Result<StoredLetter, sqlx::Error> {
    let c = Cols::new(r, "campaign_letters");
    Ok(StoredLetter {
        id: c.i64("id")?,
        campaign_id: c.i64("campaign_id")?,
        confirming: c.text("purpose")? == "confirm",
        name: c.text("name")?,
        email: c.text("email")?,
        created_at: c.timestamp("created_at")?,
    })
}

/// Store a letter; the letter as stored.
pub async fn insert_letter(
    conn: &mut Conn,
    campaign_id: i64,
    confirming: bool,
    to: &Addressee,
    now: DateTime<Utc>,
) -> Result<StoredLetter, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO campaign_letters (campaign_id, purpose, person_id, name, email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(campaign_id)
    .bind(if confirming { "confirm" } else { "ask" })
    .bind(to.person_id)
    .bind(&to.name)
    .bind(&to.email)
    .bind(to_db(now))
    .fetch_one(conn)
    .await?;
    Ok(StoredLetter { id, campaign_id, confirming, name: to.name.clone(), email: to.email.clone(), created_at: now })
}

/// A letter by id.
pub async fn letter<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    id: i64,
) -> Result<Option<StoredLetter>, sqlx::Error> {
    let mut sql = Sql::new(LETTER);
    sql.push(" WHERE l.id = ").bind(id);
    sql.query().fetch_optional(exec).await?.as_ref().map(letter_from).transpose()
}

/// Letters by id.
pub async fn letters(conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredLetter>, sqlx::Error> {
    let mut sql = Sql::new(LETTER);
    sql.push(" WHERE ").push_in("l.id", ids).push(" ORDER BY l.id");
    sql.query().fetch_all(conn).await?.iter().map(letter_from).collect()
}

/// Every letter of a campaign, in the order written.
pub async fn letters_of(conn: &mut Conn, campaign_id: i64) -> Result<Vec<StoredLetter>, sqlx::Error> {
    let mut sql = Sql::new(LETTER);
    sql.push(" WHERE l.campaign_id = ").bind(campaign_id).push(" ORDER BY l.id");
    sql.query().fetch_all(conn).await?.iter().map(letter_from).collect()
}

/// The seats these people hold in one pool: (person id, assignment id).
pub async fn seats_of_people(conn: &mut Conn, pool_id: i64, people: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let pool = pool_id.to_string();
    let args: [&str; 1] = [&pool];
    let statement = bulk::over_ids(
        "SELECT a.person_id, a.id FROM seat_assignments a WHERE a.pool_id = CAST($2 AS BIGINT) \
         AND a.person_id IN (SELECT r.id FROM {rows})",
        &args,
    );
    bulk::fetch(conn, &statement, &bulk::ids(people))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            Ok((c.i64("person_id")?, c.i64("id")?))
        })
        .collect()
}

/// The seats of a pool held by people, by id (the demo chooses some).
pub async fn person_seats(conn: &mut Conn, pool_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM seat_assignments WHERE pool_id = $1 AND person_id IS NOT NULL ORDER BY id")
        .bind(pool_id)
        .fetch_all(conn)
        .await
}

/// The letters of a campaign that still wait for an answer on some seat.
pub async fn waiting_letters(conn: &mut Conn, campaign_id: i64) -> Result<Vec<StoredLetter>, sqlx::Error> {
    let mut sql = Sql::new(LETTER);
    sql.push(" WHERE l.campaign_id = ").bind(campaign_id);
    sql.push(
        " AND EXISTS (SELECT 1 FROM reclamation_cases c WHERE c.letter_id = l.id \
           AND c.state IN ('awaiting_user', 'awaiting_approval')) ORDER BY l.id",
    );
    sql.query().fetch_all(conn).await?.iter().map(letter_from).collect()
}

pub async fn mark_reminded(conn: &mut Conn, letter_id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaign_letters SET reminded_at = $1 WHERE id = $2")
        .bind(to_db(now))
        .bind(letter_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The cases a letter is about: those it asked, and those it was asked to confirm.
pub async fn letter_cases(conn: &mut Conn, letter_id: i64) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut cond = Sql::new("(c.asked_letter_id = ");
    cond.bind(letter_id).push(" OR c.letter_id = ").bind(letter_id).push(") ORDER BY c.id");
    cases::matching(conn, &cond).await
}

/// The cases of a campaign still waiting for a letter's answer.
pub async fn waiting_cases(conn: &mut Conn, campaign_id: i64) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut cond = Sql::new("c.campaign_id = ");
    cond.bind(campaign_id)
        .push(" AND c.letter_id IS NOT NULL AND c.state IN ('awaiting_user', 'awaiting_approval') ORDER BY c.id");
    cases::matching(conn, &cond).await
}

/// Every case of a campaign (within `scope`), for its record.
pub async fn all_cases(
    conn: &mut Conn,
    campaign_id: i64,
    scope: Option<&Reach>,
) -> Result<Vec<StoredCase>, sqlx::Error> {
    let mut cond = Sql::new("c.campaign_id = ");
    cond.bind(campaign_id);
    if let Some(reach) = scope {
        cond.push(" AND ").push_reach("p", reach);
    }
    cond.push(" ORDER BY c.id");
    cases::matching(conn, &cond).await
}

/// Put cases in a campaign: the letter asking about them, and the deadline.
pub async fn attach(
    conn: &mut Conn,
    case_ids: &[i64],
    campaign_id: i64,
    letter_id: Option<i64>,
    deadline_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = to_db(deadline_at);
    let campaign = campaign_id.to_string();
    let letter = letter_id.map(|l| l.to_string()).unwrap_or_default();
    let args: [&str; 3] = [&campaign, &letter, &at];
    let statement = bulk::over_ids(
        "UPDATE reclamation_cases SET campaign_id = CAST($2 AS BIGINT), \
           asked_letter_id = CAST(NULLIF($3, '') AS BIGINT), letter_id = CAST(NULLIF($3, '') AS BIGINT), \
           deadline = $4 WHERE id IN (SELECT r.id FROM {rows})",
        &args,
    );
    bulk::execute(conn, &statement, &bulk::ids(case_ids)).await?;
    Ok(())
}

/// Record the answer of the person asked on these cases.
pub async fn answer(
    conn: &mut Conn,
    case_ids: &[i64],
    choice: Choice,
    by: &str,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let at = to_db(now);
    let comment = comment.unwrap_or_default();
    let args: [&str; 4] = [choice.as_str(), by, comment, &at];
    let statement = bulk::over_ids(
        "UPDATE reclamation_cases SET answer = $2, answered_by = $3, answer_comment = NULLIF($4, ''), \
           answered_at = $5 WHERE id IN (SELECT r.id FROM {rows})",
        &args,
    );
    bulk::execute(conn, &statement, &bulk::ids(case_ids)).await?;
    Ok(())
}

/// Move an open case on to `to`, now waiting for `letter` (none: the pool's owner); false when it moved on
/// meanwhile.
pub async fn pass_on(
    conn: &mut Conn,
    id: i64,
    from: CaseState,
    to: CaseState,
    letter: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reclamation_cases SET state = $1, letter_id = $2, version = version + 1 WHERE id = $3 AND state = $4",
    )
    .bind(to.as_str())
    .bind(letter)
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open campaigns whose reminder is due and not yet sent.
pub async fn due_reminders(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM reclamation_campaigns WHERE closed_at IS NULL AND reminded_at IS NULL \
         AND remind_at IS NOT NULL AND remind_at <= $1 AND deadline_at > $1 ORDER BY id",
    )
    .bind(to_db(now))
    .fetch_all(conn)
    .await
}

/// Take a campaign's reminder for this instance; false when another took it.
pub async fn claim_reminder(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE reclamation_campaigns SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Open campaigns whose deadline has passed.
pub async fn due_deadlines(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM reclamation_campaigns WHERE closed_at IS NULL AND deadline_at <= $1 ORDER BY id")
        .bind(to_db(now))
        .fetch_all(conn)
        .await
}

/// Close a campaign for this instance; false when another closed it.
pub async fn claim_close(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE reclamation_campaigns SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(to_db(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Open holder-asked cases of open campaigns whose seat was used after the case opened: (case id, when used).
pub async fn used_again(conn: &mut Conn) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, MAX(u.last_used_at) AS last_used_at FROM reclamation_cases c \
         JOIN reclamation_campaigns k ON k.id = c.campaign_id \
         JOIN usage_signals u ON u.pool_id = c.pool_id AND u.person_id = c.person_id \
         WHERE k.closed_at IS NULL AND k.ask = 'holder' AND c.state = 'awaiting_user' \
           AND u.last_used_at > c.opened_at GROUP BY c.id ORDER BY c.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "usage_signals");
            Ok((c.of("reclamation_cases").i64("id")?, c.timestamp("last_used_at")?))
        })
        .collect()
}

/// A seat chosen by its id: where it is and who holds it (`None`: a device).
#[derive(Debug, Clone)]
pub struct ChosenSeat {
    pub assignment_id: i64,
    pub pool_id: i64,
    pub person_id: Option<i64>,
    pub place: PoolPlace,
    pub retired: bool,
}

pub async fn chosen_seats(conn: &mut Conn, assignment_ids: &[i64]) -> Result<Vec<ChosenSeat>, sqlx::Error> {
    let statement = bulk::over_ids(
        "SELECT a.id, a.pool_id, a.person_id, p.department_id, p.owner_id, p.retired_at FROM seat_assignments a \
         JOIN pools p ON p.id = a.pool_id WHERE a.id IN (SELECT r.id FROM {rows})",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(assignment_ids))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "seat_assignments");
            let p = c.of("pools");
            Ok(ChosenSeat {
                assignment_id: c.i64("id")?,
                pool_id: c.i64("pool_id")?,
                person_id: c.opt_i64("person_id")?,
                place: PoolPlace::new(p.i64("department_id")?, p.opt_i64("owner_id")?),
                retired: p.opt_text("retired_at")?.is_some(),
            })
        })
        .collect()
}

/// Each of these people's manager, where one is on record: person id -> the manager as an addressee.
pub async fn managers(conn: &mut Conn, people: &[i64]) -> Result<HashMap<i64, Addressee>, sqlx::Error> {
    let statement = bulk::over_ids(
        "SELECT pe.id, m.id AS manager_id, m.name, m.email FROM people pe JOIN people m ON m.id = pe.manager_id \
         WHERE pe.id IN (SELECT r.id FROM {rows}) AND m.status <> 'terminated'",
        &[],
    );
    bulk::fetch(conn, &statement, &bulk::ids(people))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            let to =
                Addressee { person_id: Some(c.i64("manager_id")?), name: c.text("name")?, email: c.text("email")? };
            Ok((c.i64("id")?, to))
        })
        .collect()
}

/// Holders as addressees, by person id.
pub async fn holders(conn: &mut Conn, people: &[i64]) -> Result<HashMap<i64, Addressee>, sqlx::Error> {
    let statement =
        bulk::over_ids("SELECT pe.id, pe.name, pe.email FROM people pe WHERE pe.id IN (SELECT r.id FROM {rows})", &[]);
    bulk::fetch(conn, &statement, &bulk::ids(people))
        .await?
        .iter()
        .map(|r| {
            let c = Cols::new(r, "people");
            let id = c.i64("id")?;
            Ok((id, Addressee { person_id: Some(id), name: c.text("name")?, email: c.text("email")? }))
        })
        .collect()
}
