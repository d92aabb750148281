//! Budgets per cost centre and year, in the reporting currency.

use chrono::Datelike;
use seatwise_types::{Budget, BudgetInput, FieldError, Money};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::finance::{self as store};
use crate::db::Db;
use crate::domain::access;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change};
use crate::service::org;

use super::*;

pub(super) fn check_year(year: i32) -> AppResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::field("year", "must be a year from 2000 to 2100"))
    }
}

/// The budgets of a year (this year by default).
pub async fn budgets(db: &Db, clock: &dyn Clock, actor: &Actor, year: Option<i32>) -> AppResult<Vec<Budget>> {
    access::may_read_finance(&actor.user)?;
    let year = match year {
        Some(y) => check_year(y)?,
        None => org::today(db, clock).await?.year(),
    };
    let mut conn = db.read.acquire().await?;
    Ok(store::budgets(&mut conn, year).await?)
}

/// Set a cost centre's budget for a year, in the reporting currency.
pub async fn set_budget(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    cost_centre_id: i64,
    year: i32,
    input: &BudgetInput,
) -> AppResult<Budget> {
    access::may_keep_budgets(&actor.user)?;
    let year = check_year(year)?;
    let mut errors = Vec::new();
    let currency = input.amount.currency.trim().to_uppercase();
    let reporting = org::load(db).await?.reporting_currency;
    if currency != reporting {
        errors.push(FieldError::new("amount.currency", format!("must be the reporting currency, {reporting}")));
    }
    if input.amount.amount_minor < 0 {
        errors.push(FieldError::new("amount.amount_minor", "must be 0 or more"));
    }
    crate::domain::limits::check_amount(&mut errors, "amount.amount_minor", input.amount.amount_minor);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if !cost_centres(db).await?.contains_key(&cost_centre_id) {
        return Err(AppError::NotFound("cost centre"));
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::budget(&mut tx, cost_centre_id, year).await?;
    store::set_budget(
        &mut tx,
        cost_centre_id,
        year,
        &Money::new(input.amount.amount_minor, currency),
        actor.ledger_name(),
        now,
    )
    .await?;
    let after = store::budget(&mut tx, cost_centre_id, year).await?.ok_or(AppError::NotFound("budget"))?;
    let change = Change {
        action: "budget.set",
        record_type: "cost_centre",
        record_id: Some(cost_centre_id),
        before: before.as_ref(),
        after: Some(&after),
    };
    ledger::record_and_commit(tx, now, actor.ledger_name(), change).await?;
    Ok(after)
}

pub async fn delete_budget(db: &Db, clock: &dyn Clock, actor: &Actor, cost_centre_id: i64, year: i32) -> AppResult<()> {
    access::may_keep_budgets(&actor.user)?;
    let year = check_year(year)?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let before = store::budget(&mut tx, cost_centre_id, year).await?.ok_or(AppError::NotFound("budget"))?;
    store::delete_budget(&mut tx, cost_centre_id, year).await?;
    ledger::record(
        &mut tx,
        now,
        actor.ledger_name(),
        Change::removed("budget.delete", "cost_centre", Some(cost_centre_id), &before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
