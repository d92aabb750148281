//! The exchange-rate table: read by everyone who sees money, kept by admins, one rate at a time or from a file.

use std::collections::HashSet;

use seatwise_types::{ExchangeRate, ExchangeRateInput, FieldError};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::{exchange_rates as store, Db};
use crate::domain::access;
use crate::domain::csv_file::CsvFile;
use crate::domain::fx;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::org;

/// The rates into today's reporting currency (those kept for another stay stored, unused).
pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<ExchangeRate>> {
    access::may_see_money(&actor.user)?;
    let reporting = org::load(db).await?.reporting_currency;
    Ok(store::list(&db.read, &reporting).await?)
}

/// Add rates, all or none: every one checked (and not already in the table, nor twice in the batch), each problem
/// by row when there are several.
/// `by_row`: the rates are a file's rows, so each error names its row.
async fn add(
    db: &Db,
    clock: &dyn Clock,
    actor: &Actor,
    given: Vec<(u64, ExchangeRateInput)>,
    by_row: bool,
) -> AppResult<Vec<ExchangeRate>> {
    access::may_keep_exchange_rates(&actor.user)?;
    let reporting = org::load(db).await?.reporting_currency;
    let mut errors = Vec::new();
    let mut rates = Vec::new();
    let mut seen = HashSet::new();
    for (row, r) in &given {
        let at_row = |mut e: FieldError| {
            if by_row {
                e.row = Some(*row);
            }
            e
        };
        match fx::check_rate(&r.currency, &r.rate, r.date, &reporting) {
            Ok((currency, _, from)) if !seen.insert((currency.clone(), from)) => {
                errors.push(at_row(FieldError::new("date", format!("{currency} from {from} appears twice"))));
            }
            Ok(checked) => rates.push((*row, checked)),
            Err(e) => errors.extend(e.into_iter().map(at_row)),
        }
    }
    let now = clock.now();
    let mut tx = db.begin().await?;
    let keys: Vec<_> = rates.iter().map(|(_, (c, _, d))| (c.clone(), *d)).collect();
    let taken: HashSet<_> = store::taken(&mut tx, &reporting, &keys).await?.into_iter().collect();
    for (row, (currency, _, from)) in &rates {
        if taken.contains(&(currency.clone(), *from)) {
            let mut e = FieldError::new("date", format!("{currency} already has a rate from {from}"));
            e.row = by_row.then_some(*row);
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(AppError::validation(errors));
    }
    let rows: Vec<_> = rates.into_iter().map(|(_, r)| r).collect();
    store::insert(&mut tx, &reporting, &rows, actor.ledger_name(), now).await?;
    let added: Vec<ExchangeRate> = rows
        .into_iter()
        .map(|(currency, rate, date)| ExchangeRate {
            currency,
            rate,
            date,
            created_by: actor.ledger_name().to_string(),
            created_at: now,
        })
        .collect();
    let entries = added
        .iter()
        .map(|rate| Pending::of(Change::created("exchange_rate.create", "exchange_rate", None, rate)))
        .collect::<Result<Vec<_>, _>>()?;
    ledger::record_many_and_commit(tx, now, actor.ledger_name(), entries).await?;
    Ok(added)
}

pub async fn create(db: &Db, clock: &dyn Clock, actor: &Actor, input: ExchangeRateInput) -> AppResult<ExchangeRate> {
    let mut added = add(db, clock, actor, vec![(1, input)], false).await?;
    added.pop().ok_or_else(|| AppError::internal("a rate added vanished"))
}

/// Rates from a CSV file with the columns `currency`, `rate` and `date` (YYYY-MM-DD), all or none.
pub async fn create_from_csv(db: &Db, clock: &dyn Clock, actor: &Actor, text: &str) -> AppResult<Vec<ExchangeRate>> {
    access::may_keep_exchange_rates(&actor.user)?;
    let (file, records) = CsvFile::open(text).map_err(AppError::validation)?;
    let missing: Vec<&str> = ["currency", "rate", "date"].into_iter().filter(|c| file.column(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(AppError::field(
            "file",
            &format!("The header needs the columns currency, rate and date; missing: {}.", missing.join(", ")),
        ));
    }
    let mut given = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let get = |c: &str| record.get(&file, c).unwrap_or_default().to_string();
        match get("date").parse::<chrono::NaiveDate>() {
            Ok(date) => {
                given.push((record.row, ExchangeRateInput { currency: get("currency"), rate: get("rate"), date }))
            }
            Err(_) => errors.push(FieldError {
                path: "date".into(),
                message: format!("{:?} is not a date (YYYY-MM-DD)", get("date")),
                row: Some(record.row),
                line: Some(record.line),
            }),
        }
    }
    if given.is_empty() && errors.is_empty() {
        return Err(AppError::field("file", "The file has no data rows: only a header."));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    add(db, clock, actor, given, true).await
}
