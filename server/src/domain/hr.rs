//! The HR export format: documented columns, lenient where real exports vary, exact about what is wrong.
//!
//! Columns (header names, any order, case-insensitive): `employee_id`, `first_name`, `last_name`, `email`,
//! `department`, `cost_centre`, `manager_employee_id`, `employment_type` (employee | contractor), `status`
//! (active | on_leave | terminated), `start_date`, `end_date` (YYYY-MM-DD or MM/DD/YYYY). Every row needs an
//! employee id or an email.

use chrono::NaiveDate;
use seatwise_types::{EmploymentType, FieldError, PersonStatus};

use crate::domain::csv_file::CsvFile;
use crate::domain::limits;

pub const COLUMNS: [&str; 11] = [
    "employee_id",
    "first_name",
    "last_name",
    "email",
    "department",
    "cost_centre",
    "manager_employee_id",
    "employment_type",
    "status",
    "start_date",
    "end_date",
];

#[derive(Debug, Clone, PartialEq)]
pub struct HrRow {
    /// Data row, the first being 1.
    pub row: u64,
    /// File line the row starts on (differs from `row + 1` after multi-line quoted fields).
    pub line: u64,
    pub employee_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub department: Option<String>,
    pub cost_centre: Option<String>,
    pub manager_employee_id: Option<String>,
    pub employment_type: EmploymentType,
    pub status: PersonStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// What an import compares against: every person's HR-relevant fields.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonRecord {
    pub id: i64,
    pub employee_id: Option<String>,
    pub email: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub employment_type: EmploymentType,
    pub status: PersonStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub missing_from_hr: bool,
}

/// An optional date cell: empty is `None`, anything but ISO or US `MM/DD/YYYY` is a message for the user.
pub fn date_cell(value: Option<&str>) -> Result<Option<NaiveDate>, String> {
    match value {
        None => Ok(None),
        Some(v) => match parse_date(v) {
            Some(d) if limits::date_in_range(d) => Ok(Some(d)),
            Some(_) => Err(format!("{v:?} {}", limits::date_message())),
            None => Err(format!("{v:?} is not a date (use YYYY-MM-DD or MM/DD/YYYY)")),
        },
    }
}

/// Dates as HR systems write them: ISO or US `MM/DD/YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%m/%d/%Y")).ok()
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !s.contains(' ')
}

/// Parse and check a whole file. Every problem is reported, by row, line and column; no partial result.
pub fn parse(text: &str) -> Result<Vec<HrRow>, Vec<FieldError>> {
    let file = CsvFile::read(text)?;
    if file.column("employee_id").is_none() && file.column("email").is_none() {
        return Err(vec![FieldError::new("file", "the header needs an employee_id or an email column")]);
    }
    let mut errors = file.errors.clone();
    let mut rows = Vec::new();
    for record in &file.records {
        let (row, line) = (record.row, record.line);
        let get = |name: &str| record.get(&file, name);
        let mut problem = |path: &str, message: String| {
            errors.push(FieldError { path: path.into(), message, row: Some(row), line: Some(line) });
        };
        for column in COLUMNS {
            if let Some(m) = get(column).and_then(limits::line_problem) {
                problem(column, m.into());
            }
        }
        let employee_id = get("employee_id").map(str::to_string);
        let email = get("email").map(str::to_lowercase);
        if employee_id.is_none() && email.is_none() {
            problem("employee_id", "needs an employee id or an email".into());
        }
        if let Some(e) = &email {
            if !looks_like_email(e) {
                problem("email", format!("{e:?} is not an email address"));
            }
        }
        let name = [get("first_name"), get("last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            problem("first_name", "needs a first or last name".into());
        }
        let employment_type = match get("employment_type").map(str::to_lowercase) {
            None => EmploymentType::Employee,
            Some(t) => EmploymentType::parse(&t).unwrap_or_else(|| {
                problem("employment_type", format!("{t:?} is not employee or contractor"));
                EmploymentType::Employee
            }),
        };
        let status = match get("status").map(|s| s.to_lowercase().replace([' ', '-'], "_")) {
            None => PersonStatus::Active,
            Some(s) => PersonStatus::parse(&s).unwrap_or_else(|| {
                problem("status", format!("{s:?} is not active, on_leave or terminated"));
                PersonStatus::Active
            }),
        };
        let mut date = |column: &str| {
            date_cell(get(column)).unwrap_or_else(|m| {
                problem(column, m);
                None
            })
        };
        let start_date = date("start_date");
        let end_date = date("end_date");
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                problem("end_date", "is before the start date".into());
            }
        }
        rows.push(HrRow {
            row,
            line,
            employee_id,
            name,
            email,
            department: get("department").map(str::to_string),
            cost_centre: get("cost_centre").map(str::to_string),
            manager_employee_id: get("manager_employee_id").map(str::to_string),
            employment_type,
            status,
            start_date,
            end_date,
        });
    }
    // The same person twice in one file is ambiguous: which row wins?
    let mut seen = std::collections::HashMap::new();
    for r in &rows {
        for key in
            [r.employee_id.as_ref().map(|e| format!("employee_id {e}")), r.email.as_ref().map(|e| format!("email {e}"))]
                .into_iter()
                .flatten()
        {
            if let Some(first) = seen.insert(key.clone(), r.row) {
                errors.push(FieldError {
                    path: key.split(' ').next().unwrap_or("employee_id").into(),
                    message: format!("{key} also appears on row {first}"),
                    row: Some(r.row),
                    line: Some(r.line),
                });
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("file", "has no data rows"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| (e.row, e.line));
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Real export shapes, kept in the repository (`tests/fixtures/samples`).
    pub fn sample(name: &str) -> String {
        let path = format!("{}/../tests/fixtures/samples/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn reads_the_sample_export() {
        let rows = parse(&sample("hr-export.csv")).unwrap();
        assert_eq!(rows.len(), 9);
        assert_eq!(rows[0].employee_id.as_deref(), Some("E1001"));
        assert_eq!(rows[0].name, "Dana Whitfield");
        assert_eq!(rows[3].employment_type, EmploymentType::Contractor);
        assert_eq!(rows[4].status, PersonStatus::Terminated);
        assert_eq!(rows[4].end_date, NaiveDate::from_ymd_opt(2026, 8, 29));
        assert_eq!(rows[6].status, PersonStatus::OnLeave);
    }

    #[test]
    fn reports_each_bad_row_by_row_line_and_column() {
        let text = "employee_id,first_name,last_name,email,status,start_date\n\
                    E1,Ann,Lee,ann@example.com,active,2024-01-02\n\
                    E2,Bo,\"Multi\nLine\",bo-at-example.com,active,2024-01-02\n\
                    E3,Cy,Po,cy@example.com,retired,13/45/2020\n";
        let errors = parse(text).unwrap_err();
        let found: Vec<(Option<u64>, Option<u64>, &str)> =
            errors.iter().map(|e| (e.row, e.line, e.path.as_str())).collect();
        assert_eq!(
            found,
            [
                // A name is a single line: the quoted line break is refused too.
                (Some(2), Some(3), "last_name"),
                (Some(2), Some(3), "email"),
                (Some(3), Some(5), "status"),
                (Some(3), Some(5), "start_date")
            ]
        );
    }

    #[test]
    fn us_dates_and_duplicates() {
        assert_eq!(parse_date("08/29/2026"), NaiveDate::from_ymd_opt(2026, 8, 29));
        let text = "employee_id,first_name,email\nE1,A,a@example.com\nE1,B,b@example.com\n";
        let errors = parse(text).unwrap_err();
        assert_eq!(errors[0].row, Some(2));
        assert!(errors[0].message.contains("row 1"));
    }
}

/// How a file changes the directory, decided before anything is written (the preview) and again inside the
/// apply transaction.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    pub creates: Vec<(u64, PersonRecord, PersonStatus)>,
    pub updates: Vec<(u64, PersonRecord, PersonRecord, PersonStatus)>,
    pub unchanged: usize,
    /// People whose status the file changes: person key (row), new status, when it took effect.
    pub status_changes: usize,
    pub terminations: usize,
    /// People HR knew (they have an employee id) whom this full export no longer lists.
    pub missing: Vec<i64>,
    pub new_departments: Vec<String>,
    pub new_cost_centres: Vec<String>,
}

/// Existing departments by lower-case name and cost centres by lower-case code.
pub struct Directory<'a> {
    pub people: &'a [PersonRecord],
    pub departments: &'a std::collections::HashMap<String, i64>,
    pub cost_centres: &'a std::collections::HashMap<String, i64>,
}

/// Match rows to people (employee id first, then email) and work out what changes.
pub fn plan(rows: &[HrRow], dir: &Directory<'_>, full_export: bool) -> Plan {
    use std::collections::{BTreeSet, HashMap, HashSet};
    let by_employee: HashMap<&str, &PersonRecord> =
        dir.people.iter().filter_map(|p| p.employee_id.as_deref().map(|e| (e, p))).collect();
    let by_email: HashMap<&str, &PersonRecord> = dir.people.iter().map(|p| (p.email.as_str(), p)).collect();
    let mut plan = Plan::default();
    let mut new_departments = BTreeSet::new();
    let mut new_cost_centres = BTreeSet::new();
    let mut seen = HashSet::new();
    for r in rows {
        let existing = r
            .employee_id
            .as_deref()
            .and_then(|e| by_employee.get(e))
            .or_else(|| r.email.as_deref().and_then(|e| by_email.get(e)))
            .copied();
        let department_id = r.department.as_ref().map(|d| {
            dir.departments.get(&d.to_lowercase()).copied().unwrap_or_else(|| {
                new_departments.insert(d.clone());
                0
            })
        });
        let cost_centre_id = r.cost_centre.as_ref().map(|c| {
            dir.cost_centres.get(&c.to_lowercase()).copied().unwrap_or_else(|| {
                new_cost_centres.insert(c.clone());
                0
            })
        });
        let mut next = PersonRecord {
            id: existing.map_or(0, |p| p.id),
            employee_id: r.employee_id.clone().or_else(|| existing.and_then(|p| p.employee_id.clone())),
            email: r.email.clone().or_else(|| existing.map(|p| p.email.clone())).unwrap_or_default(),
            name: r.name.clone(),
            department_id,
            cost_centre_id,
            // A manager HR names who is already known; one new in this file is linked after the inserts.
            manager_id: match &r.manager_employee_id {
                Some(m) => by_employee.get(m.as_str()).map(|p| p.id).or(existing.and_then(|p| p.manager_id)),
                None => None,
            },
            employment_type: r.employment_type,
            status: existing.map_or(PersonStatus::Active, |p| p.status),
            start_date: r.start_date,
            end_date: r.end_date,
            missing_from_hr: false,
        };
        if next.email.is_empty() {
            // No email in the file or the directory: a stable placeholder keeps the unique column honest.
            next.email = format!("{}@hr.invalid", next.employee_id.clone().unwrap_or_default().to_lowercase());
        }
        let status_changes = existing.map_or(r.status != PersonStatus::Active, |p| p.status != r.status);
        if status_changes {
            plan.status_changes += 1;
            if r.status == PersonStatus::Terminated {
                plan.terminations += 1;
            }
        }
        match existing {
            None => plan.creates.push((r.row, next, r.status)),
            Some(p) => {
                seen.insert(p.id);
                if *p == next {
                    if status_changes {
                        plan.updates.push((r.row, p.clone(), next, r.status));
                    } else {
                        plan.unchanged += 1;
                    }
                } else {
                    plan.updates.push((r.row, p.clone(), next, r.status));
                }
            }
        }
    }
    if full_export {
        plan.missing = dir
            .people
            .iter()
            .filter(|p| p.employee_id.is_some() && !p.missing_from_hr && !seen.contains(&p.id))
            .map(|p| p.id)
            .collect();
    }
    plan.new_departments = new_departments.into_iter().collect();
    plan.new_cost_centres = new_cost_centres.into_iter().collect();
    plan
}
