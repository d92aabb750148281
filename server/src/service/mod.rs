//! Use cases: check access (`domain::access`), apply domain rules, write through storage and the ledger in one
//! transaction. HTTP handlers call these and nothing else.
//!
//! A use case takes what it uses, never the whole application state: `db: &Db` first, then `clock: &dyn Clock`
//! when it reads the time, then anything else it needs by name (`hasher`, `public_url`, an `Outbox` when it may
//! queue mail), then the caller (`actor`) and the input. Where that list grows long, the service names it in one
//! struct built from the state (`accounts::SignIn`, `jobs::Worker`).

pub mod accounts;
pub mod alerts;
pub mod attempt;
pub mod calendar;
pub mod catalog;
pub mod change_requests;
pub mod connectors;
pub mod contracts;
pub mod credentials;
pub mod devices;
pub mod exchange_rates;
pub mod finance;
pub mod finance_export;
pub mod imports;
pub mod jobs;
pub mod ledger;
pub mod mailer;
pub mod my_requests;
pub mod my_seats;
pub mod oidc;
pub mod org;
pub mod passwords;
pub mod people;
pub mod pool_people;
pub mod pools;
pub mod progress;
pub mod reclamation;
pub mod renewal_job;
pub mod scim;
pub mod versions;
pub mod webhooks;

use seatwise_types::{DEFAULT_PER_PAGE, MAX_PER_PAGE};

use crate::error::{AppError, AppResult};

/// The highest `?page=` a list takes.
pub const MAX_PAGE: i64 = 1_000_000;

/// Validate `?page=&per_page=` the same way for every list.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> AppResult<(i64, i64)> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    let mut errors = Vec::new();
    // Bounded so the offset arithmetic can never overflow, whatever the client sends.
    if !(1..=MAX_PAGE).contains(&page) {
        errors.push(seatwise_types::FieldError::new("page", format!("must be between 1 and {MAX_PAGE}")));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        errors.push(seatwise_types::FieldError::new("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
    }
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(AppError::validation(errors))
    }
}

/// `field` or `-field` from a list's `sort` parameter, checked against the list's own fields.
pub fn parse_sort<T>(sort: Option<&str>, parse: fn(&str) -> Option<T>) -> AppResult<Option<crate::db::Sort<T>>> {
    let Some(s) = sort.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let (desc, field) = s.strip_prefix('-').map_or((false, s), |f| (true, f));
    parse(field)
        .map(|key| Some(crate::db::Sort { key, descending: desc }))
        .ok_or_else(|| AppError::field("sort", &format!("unknown sort field {field:?}")))
}

/// The features that follow change requests' outcomes (reclamation closes the cases its batches carried): wired
/// here, above both, so change requests call no feature themselves.
pub const CHANGE_FOLLOWER: &dyn change_requests::Follower = &reclamation::settle::Cases;
