//! Usage files: a generic CSV (a person, a pool or product, when they last used it) and Okta's Users API JSON
//! (`lastLogin`, for the product an Okta app stands for). Each row says what a source knows of one person's use:
//! a blank last use means the source has the account and it was never used, which is not the same as no row.
//!
//! CSV columns (matched as every import matches headers): `person` (or `email`, `employee_id`: an e-mail address
//! when it has `@`), `pool` (id or name) or `product` (every pool of it), `last_used_at` (RFC 3339, or a date).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use seatwise_types::{FieldError, ImportColumns};
use serde::Deserialize;

use crate::domain::csv_file::CsvFile;
use crate::domain::limits;

pub const FIELDS: [(&str, &[&str]); 4] = [
    ("person", &["person", "email", "user", "user_principal_name", "employee_id"]),
    ("pool", &["pool", "pool_id", "pool_name"]),
    ("product", &["product", "application", "app"]),
    ("last_used_at", &["last_used_at", "last_used", "last_login", "last_sign_in", "last_activity"]),
];

/// What one row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub row: u64,
    pub line: u64,
    /// E-mail address or employee id, as written.
    pub person: String,
    /// The pool (id or name) or the product (name) it is about; an Okta file names neither (the upload does).
    pub pool: Option<String>,
    pub product: Option<String>,
    /// `None`: never used.
    pub last_used_at: Option<DateTime<Utc>>,
}

fn error(row: u64, line: u64, path: &str, message: impl Into<String>) -> FieldError {
    FieldError { path: path.into(), message: message.into(), row: Some(row), line: Some(line) }
}

/// A last-use cell: RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC) or a date (its first moment, UTC).
pub fn parse_time(cell: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(cell)
        .map(|t| t.to_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M:%S").ok().map(|t| t.and_utc()))
        .or_else(|| {
            NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
        })
}

/// A use after `now` is an error: no source can have seen it.
fn check_time(cell: Option<&str>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let Some(cell) = cell else { return Ok(None) };
    let Some(t) = parse_time(cell) else {
        return Err(format!("{cell:?} is not a date or timestamp (use 2026-11-30 or 2026-11-30T09:15:00Z)"));
    };
    let mut problems = Vec::new();
    limits::check_timestamp(&mut problems, "last_used_at", Some(t));
    if let Some(p) = problems.into_iter().next() {
        return Err(p.message);
    }
    if t > now {
        return Err(format!("{cell:?} is in the future"));
    }
    Ok(Some(t))
}

/// The rows of a usage CSV, the row errors, and which columns were read.
pub fn read_csv(
    text: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<UsageRow>, Vec<FieldError>, ImportColumns), Vec<FieldError>> {
    let (file, records) = CsvFile::open(text)?;
    let columns = file.columns(&FIELDS);
    let at = |field: &str| {
        FIELDS.iter().find(|(f, _)| *f == field).and_then(|(_, names)| names.iter().find_map(|n| file.column(n)))
    };
    let (person, pool, product, last) = (at("person"), at("pool"), at("product"), at("last_used_at"));
    let mut missing = Vec::new();
    if person.is_none() {
        missing.push("a person column (person, email or employee_id)");
    }
    if pool.is_none() && product.is_none() {
        missing.push("a pool or product column");
    }
    if last.is_none() {
        missing.push("a last_used_at column");
    }
    if !missing.is_empty() {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "The header needs {}. Its columns are: {}.",
                missing.join(", "),
                file.original.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", ")
            ),
        )]);
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for record in records {
        let r = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let Some(who) = r.at(person) else {
            errors.push(error(r.row, r.line, "person", "is empty: give the person's e-mail address or employee id"));
            continue;
        };
        let (pool_cell, product_cell) = (r.at(pool), r.at(product));
        if pool_cell.is_none() && product_cell.is_none() {
            errors.push(error(r.row, r.line, "pool", "is empty: name the pool (or the product) this use is of"));
            continue;
        }
        match check_time(r.at(last), now) {
            Ok(last_used_at) => rows.push(UsageRow {
                row: r.row,
                line: r.line,
                person: who.to_string(),
                pool: pool_cell.map(str::to_string),
                product: product_cell.map(str::to_string),
                last_used_at,
            }),
            Err(m) => errors.push(error(r.row, r.line, "last_used_at", m)),
        }
    }
    Ok((rows, errors, columns))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaUser {
    #[serde(default)]
    last_login: Option<String>,
    #[serde(default)]
    profile: OktaProfile,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct OktaProfile {
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    employee_number: Option<String>,
}

/// The users of an Okta `GET /api/v1/users` export (a JSON array): each by e-mail (or login, or employee
/// number) with `lastLogin` (null: never signed in). Rows are the array's elements, from 1.
pub fn read_okta(text: &str, now: DateTime<Utc>) -> Result<(Vec<UsageRow>, Vec<FieldError>), Vec<FieldError>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        vec![FieldError::new("file", format!("This is not an Okta users export (a JSON array of users): {e}."))]
    })?;
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (i, v) in values.into_iter().enumerate() {
        let row = i as u64 + 1;
        let problem = |path: &str, m: String| FieldError { path: path.into(), message: m, row: Some(row), line: None };
        let user: OktaUser = match serde_json::from_value(v) {
            Ok(u) => u,
            Err(e) => {
                errors.push(problem("user", format!("is not an Okta user: {e}")));
                continue;
            }
        };
        let blank = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let p = user.profile;
        let Some(person) = blank(p.email).or(blank(p.login).filter(|l| l.contains('@'))).or(blank(p.employee_number))
        else {
            errors.push(problem("profile.email", "is empty, and so are login and employeeNumber".into()));
            continue;
        };
        match check_time(blank(user.last_login).as_deref(), now) {
            Ok(last_used_at) => rows.push(UsageRow { row, line: row, person, pool: None, product: None, last_used_at }),
            Err(m) => errors.push(problem("lastLogin", m)),
        }
    }
    Ok((rows, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn a_csv_tells_never_from_a_date_and_names_bad_rows() {
        let text = "Email,Product,Last Used At\nann@example.com,Citrix,2026-11-01\nbo@example.com,Citrix,\n\
                    ,Citrix,2026-11-01\ncy@example.com,Citrix,yesterday\ndi@example.com,Citrix,2027-01-01\n";
        let (rows, errors, columns) = read_csv(text, now()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].last_used_at, parse_time("2026-11-01T00:00:00Z"));
        assert_eq!((rows[1].person.as_str(), rows[1].last_used_at), ("bo@example.com", None), "blank is never");
        let at: Vec<(Option<u64>, &str)> = errors.iter().map(|e| (e.row, e.path.as_str())).collect();
        assert_eq!(at, [(Some(3), "person"), (Some(4), "last_used_at"), (Some(5), "last_used_at")]);
        assert!(errors[2].message.contains("future"));
        assert_eq!(columns.recognised.len(), 3);
        let missing = read_csv("email,seen\nann@example.com,1\n", now()).unwrap_err();
        assert!(missing[0].message.contains("pool or product") && missing[0].message.contains("last_used_at"));
    }

    #[test]
    fn okta_users_are_read_by_email_with_last_login() {
        let text = r#"[{"id":"00u1","status":"ACTIVE","lastLogin":"2026-10-02T08:00:00.000Z",
            "profile":{"login":"ann@example.com","email":"ann@example.com"}},
            {"id":"00u2","status":"PROVISIONED","lastLogin":null,"profile":{"login":"bo","employeeNumber":"E2"}},
            {"id":"00u3","profile":{}}]"#;
        let (rows, errors) = read_okta(text, now()).unwrap();
        assert_eq!(rows[0].last_used_at, parse_time("2026-10-02T08:00:00Z"));
        assert_eq!((rows[1].person.as_str(), rows[1].last_used_at), ("E2", None));
        assert_eq!((errors[0].row, errors[0].path.as_str()), (Some(3), "profile.email"));
        assert!(read_okta("{}", now()).is_err());
    }
}
