//! The HR export format: documented columns, lenient where real exports vary, exact about what is wrong.
//!
//! Columns (header names, any order, any case, spaces or underscores alike): `employee_id` (or `Employee
//! Number`), `username`, `first_name`, `last_name`, `email`, `department`, `cost_centre`, `manager_employee_id`,
//! `manager` (a name, linked when it names one person), `employment_type` (employee | contractor), `status`
//! (active | on_leave | terminated), `start_date`, `end_date` (YYYY-MM-DD or MM/DD/YYYY), `vip` (1/0, yes/no).
//! Every row needs an employee id, an email or a username. Other columns are ignored and listed as such in the
//! preview, so Snipe-IT's users export (`First Name,Last Name,Email,Username,...,Manager,...,VIP`) comes in as it
//! is, every user of it: Snipe-IT keys users by username, and some have neither e-mail nor employee number.

use chrono::NaiveDate;
use seatwise_types::{EmploymentType, FieldError, PersonStatus};

use crate::domain::csv_file::CsvFile;
use crate::domain::{limits, people};

pub const COLUMNS: [&str; 14] = [
    "employee_id",
    "username",
    "first_name",
    "last_name",
    "email",
    "department",
    "cost_centre",
    "manager_employee_id",
    "manager",
    "employment_type",
    "status",
    "start_date",
    "end_date",
    "vip",
];

/// One valid row of a file. Its text is boxed, not `String`: a large file holds many rows, and capacity they never
/// use would be a third of them.
#[derive(Debug, Clone, PartialEq)]
pub struct HrRow {
    /// Data row, the first being 1.
    pub row: u64,
    /// File line the row starts on (differs from `row + 1` after multi-line quoted fields).
    pub line: u64,
    pub employee_id: Option<Box<str>>,
    /// Lower-case.
    pub username: Option<Box<str>>,
    pub name: Box<str>,
    pub email: Option<Box<str>>,
    pub department: Option<Box<str>>,
    pub cost_centre: Option<Box<str>>,
    pub manager_employee_id: Option<Box<str>>,
    /// The manager's name, for files that have no manager id (Snipe-IT).
    pub manager_name: Option<Box<str>>,
    /// `None`: the file does not say.
    pub vip: Option<bool>,
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
    pub username: Option<String>,
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
    pub vip: bool,
}

/// A yes/no cell as HR and asset systems write it.
fn yes_or_no(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "yes" | "y" | "true" => Some(true),
        "0" | "no" | "n" | "false" => Some(false),
        _ => None,
    }
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

/// The columns the HR kind reads: each field with the header spellings that fill it (matched in any case and
/// spacing, see `csv_file::normalise`). Snipe-IT's users export is read as it comes: its `First Name`,
/// `Last Name`, `Email`, `Department`, `Start Date` and `End Date` are these fields already, and its
/// `Employee Number` is the employee id.
pub const FIELDS: [(&str, &[&str]); 14] = [
    ("employee_id", &["employee_id", "employee_number"]),
    ("username", &["username", "user_name"]),
    ("first_name", &["first_name"]),
    ("last_name", &["last_name"]),
    ("email", &["email"]),
    ("department", &["department"]),
    ("cost_centre", &["cost_centre", "cost_center"]),
    ("manager_employee_id", &["manager_employee_id"]),
    ("manager", &["manager", "manager_name"]),
    ("employment_type", &["employment_type"]),
    ("status", &["status"]),
    ("start_date", &["start_date"]),
    ("end_date", &["end_date"]),
    ("vip", &["vip"]),
];

/// A whole file read: the rows without errors, the errors of the others by row, line and column, and which
/// columns were read.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Data rows in the file, valid or not.
    pub total: usize,
    pub rows: Vec<HrRow>,
    pub row_errors: Vec<FieldError>,
    pub columns: seatwise_types::ImportColumns,
}

/// Parse and check a whole file. Every problem is reported, by row, line and column; no partial result.
pub fn parse(text: &str) -> Result<Vec<HrRow>, Vec<FieldError>> {
    let parsed = read(text)?;
    if parsed.row_errors.is_empty() {
        Ok(parsed.rows)
    } else {
        Err(parsed.row_errors)
    }
}

/// Read a whole file, keeping the rows that have no problem apart from those that do. `Err` is for the file as a
/// whole (no header, no column that identifies people or names them), in one message.
pub fn read(text: &str) -> Result<Parsed, Vec<FieldError>> {
    let (file, records) = CsvFile::open(text)?;
    let columns = file.columns(&FIELDS);
    let has = |field: &str| columns.recognised.iter().any(|c| c.field == field);
    let found = || file.original.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", ");
    if !has("employee_id") && !has("email") && !has("username") {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "The header has no employee_id (or Employee Number), no email and no username column, so no row \
                 says who it is. Its columns are: {}.",
                found()
            ),
        )]);
    }
    if !has("first_name") && !has("last_name") {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "The header has no first_name or last_name column (First Name and Last Name are read too), so no \
                 row has a name. Its columns are: {}.",
                found()
            ),
        )]);
    }
    let mut errors = Vec::new();
    // A file has at most a row per line: room for them all at once, not the last doubling's spare third.
    let mut rows = Vec::with_capacity(text.bytes().filter(|b| *b == b'\n').count());
    let mut total = 0;
    // Columns are found once per file, not once per cell.
    let at = FIELDS.map(|(_, names)| names.iter().find_map(|n| file.column(n)));
    let column = |name: &str| FIELDS.iter().position(|(f, _)| *f == name).and_then(|i| at[i]);
    for record in records {
        total += 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let (row, line) = (record.row, record.line);
        let get = |name: &str| record.at(column(name));
        let before = errors.len();
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
        let username = get("username").map(str::to_lowercase);
        if employee_id.is_none() && email.is_none() && username.is_none() {
            problem("employee_id", "needs an employee id, an email or a username".into());
        }
        let vip = get("vip").map(|v| {
            yes_or_no(v).unwrap_or_else(|| {
                problem("vip", format!("{v:?} is not 1 or 0 (yes or no)"));
                false
            })
        });
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
        if errors.len() > before {
            continue;
        }
        rows.push(HrRow {
            row,
            line,
            employee_id: employee_id.map(String::into_boxed_str),
            username: username.map(String::into_boxed_str),
            name: name.into_boxed_str(),
            email: email.map(String::into_boxed_str),
            department: get("department").map(Box::from),
            cost_centre: get("cost_centre").map(Box::from),
            manager_employee_id: get("manager_employee_id").map(Box::from),
            manager_name: get("manager").map(Box::from),
            vip,
            employment_type,
            status,
            start_date,
            end_date,
        });
    }
    // The same person twice in one file is ambiguous: which row wins? The later rows are in error.
    let mut seen: [std::collections::HashMap<&str, u64>; 3] = Default::default();
    let mut duplicates = std::collections::HashSet::new();
    for r in &rows {
        let keys = [
            ("employee_id", r.employee_id.as_deref()),
            ("email", r.email.as_deref()),
            ("username", r.username.as_deref()),
        ];
        for (field, value, seen) in keys.into_iter().zip(&mut seen).filter_map(|((f, v), s)| Some((f, v?, s))) {
            if let Some(first) = seen.get(value) {
                errors.push(FieldError {
                    path: field.into(),
                    message: format!("{field} {value} also appears on row {first}"),
                    row: Some(r.row),
                    line: Some(r.line),
                });
                duplicates.insert(r.row);
            } else {
                seen.insert(value, r.row);
            }
        }
    }
    rows.retain(|r| !duplicates.contains(&r.row));
    if total == 0 {
        errors.push(FieldError::new("file", "The file has no data rows: only a header."));
    }
    if errors.iter().any(|e| e.row.is_none()) {
        return Err(errors);
    }
    errors.sort_by_key(|e| (e.row, e.line));
    Ok(Parsed { total, rows, row_errors: errors, columns })
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
        assert_eq!(&*rows[0].name, "Dana Whitfield");
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
    fn snipe_it_users_export_is_read_as_it_comes() {
        let parsed = read(&sample("snipeit-users.csv")).unwrap();
        assert!(parsed.row_errors.is_empty(), "{:?}", parsed.row_errors);
        assert_eq!(parsed.rows.len(), 8);
        let dana = &parsed.rows[0];
        assert_eq!((dana.employee_id.as_deref(), &*dana.name), (Some("E1001"), "Dana Whitfield"));
        assert_eq!(dana.department.as_deref(), Some("Design"));
        assert_eq!(parsed.rows[4].end_date, NaiveDate::from_ymd_opt(2026, 10, 31));
        assert_eq!(parsed.rows[5].employee_id, None, "matched by email");
        assert_eq!(&*parsed.rows[7].name, "Nkosi", "a last name alone is a name");
        let read: Vec<(&str, &str)> =
            parsed.columns.recognised.iter().map(|c| (c.header.as_str(), c.field.as_str())).collect();
        assert!(read.contains(&("Employee Number", "employee_id")), "{read:?}");
        assert!(read.contains(&("First Name", "first_name")), "{read:?}");
        assert_eq!(
            parsed.columns.ignored,
            ["Activated", "Location", "Phone", "Job Title", "Company", "Notes", "Remote"]
        );
        assert_eq!(
            (dana.username.as_deref(), dana.manager_name.as_deref()),
            (Some("dwhitfield"), Some("Maya Lindqvist"))
        );
        assert_eq!((dana.vip, parsed.rows[6].vip), (Some(false), Some(true)));
    }

    #[test]
    fn a_header_without_names_is_one_message_not_one_per_row() {
        let mut text = String::from("Given,Family,Email\n");
        for i in 0..100 {
            text.push_str(&format!("A{i},B{i},p{i}@example.com\n"));
        }
        let errors = read(&text).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].row, None);
        assert!(errors[0].message.contains("Given, Family, Email"), "{}", errors[0].message);
    }

    #[test]
    fn rows_in_error_are_kept_apart_from_the_valid_ones() {
        let parsed = read(&sample("hr-export-with-errors.csv")).unwrap();
        assert_eq!((parsed.total, parsed.rows.len()), (9, 7));
        let bad: Vec<(Option<u64>, &str)> = parsed.row_errors.iter().map(|e| (e.row, e.path.as_str())).collect();
        assert_eq!(bad, [(Some(2), "email"), (Some(5), "start_date")]);
        assert!(parse(&sample("hr-export-with-errors.csv")).is_err(), "parse refuses the whole file");
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
///
/// It keeps what it decided per row, not a record per person: the records are built from the rows when they are
/// written ([`Create::record`]), a chunk at a time, so a large file is not held twice.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    /// New people, a new manager before the people they manage (so each can be written with its manager in one
    /// pass). Ids are 0 until [`Plan::assign_ids`].
    pub creates: Vec<Create>,
    pub updates: Vec<Update>,
    pub unchanged: usize,
    /// People whose status the file changes.
    pub status_changes: usize,
    pub terminations: usize,
    /// People HR knew (they have an employee id) whom this full export no longer lists.
    pub missing: Vec<i64>,
    pub new_departments: Vec<String>,
    pub new_cost_centres: Vec<String>,
    /// Rows the file cannot apply as it stands (a manager nobody knows, managers that manage each other).
    pub errors: Vec<FieldError>,
    /// What was read otherwise than the file says, without blocking it (a manager's name that names nobody, or
    /// several people, is not linked).
    pub warnings: Vec<FieldError>,
    /// Managers who are new in this file: whose record points at which entry of `creates`.
    new_managers: Vec<(Link, usize)>,
}

/// A person the file creates: which of the planned rows, and what the plan resolved for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    /// Position in the rows the plan was made from.
    pub at: usize,
    /// The row's number in the file.
    pub row: u64,
    pub id: i64,
    department_id: Option<i64>,
    cost_centre_id: Option<i64>,
    manager_id: Option<i64>,
    /// The status the file gives (records are written active; a status is applied as a change after).
    pub status: PersonStatus,
}

impl Create {
    /// The record to write, from its row (`rows`: those the plan was made from); `None` if the row is not there.
    pub fn record(&self, rows: &[HrRow]) -> Option<PersonRecord> {
        let ids = (self.department_id, self.cost_centre_id, self.manager_id);
        rows.get(self.at).map(|r| PersonRecord { id: self.id, ..record_of(r, None, ids) })
    }
}

/// A person the file changes: which of the planned rows, the record before and after, and the file's status.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Position in the rows the plan was made from.
    pub at: usize,
    pub row: u64,
    pub before: PersonRecord,
    pub after: PersonRecord,
    pub status: PersonStatus,
}

/// A row as a person's record: the row's fields, the department, cost centre and manager ids the plan resolved, and
/// what the row leaves out kept from the person it matches (`existing`), if any. New people are written active; a
/// status the file gives is applied as a change after.
fn record_of(
    r: &HrRow,
    existing: Option<&PersonRecord>,
    (department_id, cost_centre_id, manager_id): (Option<i64>, Option<i64>, Option<i64>),
) -> PersonRecord {
    let mut record = PersonRecord {
        id: existing.map_or(0, |p| p.id),
        employee_id: r
            .employee_id
            .as_deref()
            .map(String::from)
            .or_else(|| existing.and_then(|p| p.employee_id.clone())),
        username: r.username.as_deref().map(String::from).or_else(|| existing.and_then(|p| p.username.clone())),
        email: r.email.as_deref().map(String::from).or_else(|| existing.map(|p| p.email.clone())).unwrap_or_default(),
        name: r.name.to_string(),
        department_id,
        cost_centre_id,
        manager_id,
        employment_type: r.employment_type,
        status: existing.map_or(PersonStatus::Active, |p| p.status),
        start_date: r.start_date,
        end_date: r.end_date,
        missing_from_hr: false,
        vip: r.vip.unwrap_or_else(|| existing.is_some_and(|p| p.vip)),
    };
    if record.email.is_empty() {
        // No email in the file or the directory: a username that is an address serves, else a stable
        // placeholder keeps the unique column honest.
        record.email = match (&record.employee_id, &record.username) {
            (Some(e), _) => people::employee_placeholder_email(e),
            (None, Some(u)) if looks_like_email(u) => u.clone(),
            (None, Some(u)) => people::username_placeholder_email(u),
            (None, None) => String::new(),
        };
    }
    record
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    Create(usize),
    Update(usize),
}

impl Plan {
    /// Point records at departments and cost centres created for this file (the plan gave them id 0), by the
    /// names in `rows` (those the plan was made from); the name of one that is still unknown is an error.
    pub fn link_new_names(
        &mut self,
        rows: &[HrRow],
        departments: &std::collections::HashMap<String, i64>,
        cost_centres: &std::collections::HashMap<String, i64>,
    ) -> Result<(), String> {
        let find = |map: &std::collections::HashMap<String, i64>, name: &Option<Box<str>>| {
            name.as_deref().map(|n| map.get(&n.to_lowercase()).copied().ok_or_else(|| n.to_string())).transpose()
        };
        let ids = self.creates.iter_mut().map(|c| (c.at, c.row, &mut c.department_id, &mut c.cost_centre_id)).chain(
            self.updates.iter_mut().map(|u| (u.at, u.row, &mut u.after.department_id, &mut u.after.cost_centre_id)),
        );
        for (at, row, department_id, cost_centre_id) in ids {
            if *department_id != Some(0) && *cost_centre_id != Some(0) {
                continue;
            }
            let Some(source) = rows.get(at) else {
                return Err(format!("row {row}"));
            };
            if *department_id == Some(0) {
                *department_id = find(departments, &source.department)?;
            }
            if *cost_centre_id == Some(0) {
                *cost_centre_id = find(cost_centres, &source.cost_centre)?;
            }
        }
        Ok(())
    }

    /// Give the new people their ids, one per entry of `creates` in order, and point the records managed by a
    /// new person at them.
    pub fn assign_ids(&mut self, ids: &[i64]) {
        for (create, id) in self.creates.iter_mut().zip(ids) {
            create.id = *id;
        }
        for (link, manager) in &self.new_managers {
            let manager_id = self.creates.get(*manager).map(|c| c.id);
            let slot = match link {
                Link::Create(i) => self.creates.get_mut(*i).map(|c| &mut c.manager_id),
                Link::Update(i) => self.updates.get_mut(*i).map(|u| &mut u.after.manager_id),
            };
            if let Some(slot) = slot {
                *slot = manager_id;
            }
        }
    }
}

/// Existing departments by lower-case name and cost centres by lower-case code.
pub struct Directory<'a> {
    pub people: &'a [PersonRecord],
    pub departments: &'a std::collections::HashMap<String, i64>,
    pub cost_centres: &'a std::collections::HashMap<String, i64>,
}

/// Where a row's manager is: a person already known, a person this file creates (their row), nobody, or (a name
/// that could not be linked) whoever it was before.
#[derive(Clone, Copy)]
enum Manager {
    None,
    Known(i64),
    New(usize),
    Keep,
}

/// The one person a manager's name names, among the people known and those this file creates; `Err` says why
/// it names nobody to link.
fn manager_named(
    name: &str,
    row: usize,
    known: &std::collections::HashMap<String, Vec<i64>>,
    new: &std::collections::HashMap<String, Vec<usize>>,
    existing: Option<&PersonRecord>,
) -> Result<Manager, String> {
    let key = name.trim().to_lowercase();
    let known = known.get(&key).map(Vec::as_slice).unwrap_or_default();
    let new = new.get(&key).map(Vec::as_slice).unwrap_or_default();
    match (known, new) {
        ([id], []) if existing.is_some_and(|p| p.id == *id) => Err(format!("{name:?} is this person")),
        ([id], []) => Ok(Manager::Known(*id)),
        ([], [i]) if *i == row => Err(format!("{name:?} is this person")),
        ([], [i]) => Ok(Manager::New(*i)),
        ([], []) => Err(format!("{name:?} names nobody known or in this file; the manager is not linked")),
        _ => Err(format!(
            "{name:?} names {} people; the manager is not linked (give a manager_employee_id to choose)",
            known.len() + new.len()
        )),
    }
}

/// Match rows to people (employee id first, then email, then username) and work out what changes.
pub fn plan(rows: &[HrRow], dir: &Directory<'_>, full_export: bool) -> Plan {
    use std::collections::{BTreeSet, HashMap, HashSet};
    let by_employee: HashMap<&str, &PersonRecord> =
        dir.people.iter().filter_map(|p| p.employee_id.as_deref().map(|e| (e, p))).collect();
    let by_email: HashMap<&str, &PersonRecord> = dir.people.iter().map(|p| (p.email.as_str(), p)).collect();
    let by_username: HashMap<&str, &PersonRecord> =
        dir.people.iter().filter_map(|p| p.username.as_deref().map(|u| (u, p))).collect();
    let existing: Vec<Option<&PersonRecord>> = rows
        .iter()
        .map(|r| {
            r.employee_id
                .as_deref()
                .and_then(|e| by_employee.get(e))
                .or_else(|| r.email.as_deref().and_then(|e| by_email.get(e)))
                .or_else(|| r.username.as_deref().and_then(|u| by_username.get(u)))
                .copied()
        })
        .collect();
    // Managers by name (files that have no manager id): the people known, and those this file creates. Only
    // built when a row names a manager: a directory's names are a large map to hold for nothing.
    let mut known_by_name: HashMap<String, Vec<i64>> = HashMap::new();
    let mut new_by_name: HashMap<String, Vec<usize>> = HashMap::new();
    if rows.iter().any(|r| r.manager_employee_id.is_none() && r.manager_name.is_some()) {
        for p in dir.people {
            known_by_name.entry(p.name.trim().to_lowercase()).or_default().push(p.id);
        }
        for (i, r) in rows.iter().enumerate().filter(|(i, _)| existing[*i].is_none()) {
            new_by_name.entry(r.name.trim().to_lowercase()).or_default().push(i);
        }
    }
    // People this file creates, by employee id: they can manage others in the same file.
    let new_by_employee: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| existing[*i].is_none())
        .filter_map(|(i, r)| r.employee_id.as_deref().map(|e| (e, i)))
        .collect();
    let mut plan = Plan::default();
    let managers: Vec<Manager> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| match r.manager_employee_id.as_deref() {
            None => match r.manager_name.as_deref() {
                None => Manager::None,
                Some(name) => manager_named(name, i, &known_by_name, &new_by_name, existing[i]).unwrap_or_else(|m| {
                    plan.warnings.push(FieldError {
                        path: "manager".into(),
                        message: m,
                        row: Some(r.row),
                        line: Some(r.line),
                    });
                    Manager::Keep
                }),
            },
            Some(m) => match (by_employee.get(m), new_by_employee.get(m)) {
                (Some(p), _) => Manager::Known(p.id),
                (None, Some(i)) => Manager::New(*i),
                (None, None) => {
                    plan.errors.push(FieldError {
                        path: "manager_employee_id".into(),
                        message: format!("{m:?} is not the employee id of anyone known or in this file"),
                        row: Some(r.row),
                        line: Some(r.line),
                    });
                    Manager::None
                }
            },
        })
        .collect();
    let mut new_departments = BTreeSet::new();
    let mut new_cost_centres = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut create_at = vec![usize::MAX; rows.len()];
    plan.creates.reserve(existing.iter().filter(|e| e.is_none()).count());
    let mut links = Vec::new();
    for i in creation_order(rows, &existing, &managers, &mut plan.errors) {
        let r = &rows[i];
        let existing = existing[i];
        let department_id = r.department.as_ref().map(|d| {
            dir.departments.get(&d.to_lowercase()).copied().unwrap_or_else(|| {
                new_departments.insert(&**d);
                0
            })
        });
        let cost_centre_id = r.cost_centre.as_ref().map(|c| {
            dir.cost_centres.get(&c.to_lowercase()).copied().unwrap_or_else(|| {
                new_cost_centres.insert(&**c);
                0
            })
        });
        // A manager new in this file has no id yet: `assign_ids` fills it in.
        let manager_id = match managers[i] {
            Manager::Known(id) => Some(id),
            Manager::Keep => existing.and_then(|p| p.manager_id),
            Manager::None | Manager::New(_) => None,
        };
        let status_changes = existing.map_or(r.status != PersonStatus::Active, |p| p.status != r.status);
        if status_changes {
            plan.status_changes += 1;
            if r.status == PersonStatus::Terminated {
                plan.terminations += 1;
            }
        }
        let new_manager = match managers[i] {
            Manager::New(m) => Some(m),
            Manager::None | Manager::Known(_) | Manager::Keep => None,
        };
        match existing {
            None => {
                create_at[i] = plan.creates.len();
                if let Some(m) = new_manager {
                    links.push((Link::Create(plan.creates.len()), m));
                }
                let (row, status) = (r.row, r.status);
                plan.creates.push(Create { at: i, row, id: 0, department_id, cost_centre_id, manager_id, status });
            }
            Some(p) => {
                let next = record_of(r, Some(p), (department_id, cost_centre_id, manager_id));
                seen.insert(p.id);
                // A manager new in this file is a change whatever else stays the same.
                if *p != next || status_changes || new_manager.is_some() {
                    if let Some(m) = new_manager {
                        links.push((Link::Update(plan.updates.len()), m));
                    }
                    plan.updates.push(Update { at: i, row: r.row, before: p.clone(), after: next, status: r.status });
                } else {
                    plan.unchanged += 1;
                }
            }
        }
    }
    // Rows were visited managers first, so every new manager already has its place in `creates`.
    plan.new_managers = links.into_iter().map(|(link, row)| (link, create_at[row])).collect();
    if full_export {
        plan.missing = dir
            .people
            .iter()
            .filter(|p| p.employee_id.is_some() && !p.missing_from_hr && !seen.contains(&p.id))
            .map(|p| p.id)
            .collect();
    }
    plan.new_departments = new_departments.into_iter().map(String::from).collect();
    plan.new_cost_centres = new_cost_centres.into_iter().map(String::from).collect();
    plan.errors.sort_by_key(|e| (e.row, e.line));
    plan.warnings.sort_by_key(|e| (e.row, e.line));
    plan
}

/// Row indexes with each person new in this file before everyone they manage (file order otherwise, their
/// reports following them). New people who manage each other in a loop cannot be ordered: each such row is an
/// error.
fn creation_order(
    rows: &[HrRow],
    existing: &[Option<&PersonRecord>],
    managers: &[Manager],
    errors: &mut Vec<FieldError>,
) -> Vec<usize> {
    let mut reports: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    for (i, m) in managers.iter().enumerate() {
        match m {
            // Existing people are updated after every insert: they wait for nobody.
            Manager::New(m) if existing[i].is_none() => reports[*m].push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(rows.len());
    let mut placed = vec![false; rows.len()];
    for root in roots {
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            placed[i] = true;
            order.push(i);
            stack.extend(reports[i].iter().rev());
        }
    }
    for (i, r) in rows.iter().enumerate() {
        if !placed[i] {
            errors.push(FieldError {
                path: "manager_employee_id".into(),
                message: "is part of a loop: these people would manage each other".into(),
                row: Some(r.row),
                line: Some(r.line),
            });
        }
    }
    order
}

#[cfg(test)]
mod plan_tests {
    use std::collections::HashMap;

    use super::*;

    const HEADER: &str = "employee_id,first_name,email,manager_employee_id\n";

    fn planned(csv: &str, people: &[PersonRecord]) -> (Vec<HrRow>, Plan) {
        let rows = parse(&format!("{HEADER}{csv}")).unwrap();
        let none = HashMap::new();
        let plan = plan(&rows, &Directory { people, departments: &none, cost_centres: &none }, false);
        (rows, plan)
    }

    /// The records a plan creates, as they would be written.
    fn created(rows: &[HrRow], plan: &Plan) -> Vec<PersonRecord> {
        plan.creates.iter().map(|c| c.record(rows).unwrap()).collect()
    }

    fn known(id: i64, employee_id: &str) -> PersonRecord {
        PersonRecord {
            id,
            employee_id: Some(employee_id.into()),
            username: None,
            email: format!("{}@example.com", employee_id.to_lowercase()),
            name: employee_id.into(),
            department_id: None,
            cost_centre_id: None,
            manager_id: None,
            employment_type: EmploymentType::Employee,
            status: PersonStatus::Active,
            start_date: None,
            end_date: None,
            missing_from_hr: false,
            vip: false,
        }
    }

    fn employee_ids(rows: &[HrRow], plan: &Plan) -> Vec<String> {
        created(rows, plan).into_iter().filter_map(|r| r.employee_id).collect()
    }

    #[test]
    fn new_managers_come_before_their_reports_and_get_linked_by_id() {
        let (rows, mut p) =
            planned("E3,C,c@example.com,E2\nE2,B,b@example.com,E1\nE1,A,a@example.com,\nE4,D,d@example.com,\n", &[]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(employee_ids(&rows, &p), ["E1", "E2", "E3", "E4"]);
        p.assign_ids(&[10, 11, 12, 13]);
        let managers: Vec<(i64, Option<i64>)> = created(&rows, &p).iter().map(|r| (r.id, r.manager_id)).collect();
        assert_eq!(managers, [(10, None), (11, Some(10)), (12, Some(11)), (13, None)]);
    }

    #[test]
    fn a_known_person_managed_by_a_new_one_is_an_update() {
        let (_, mut p) = planned("E1,E1,e1@example.com,E9\nE9,Boss,boss@example.com,\n", &[known(5, "E1")]);
        assert_eq!((p.creates.len(), p.updates.len(), p.unchanged), (1, 1, 0));
        p.assign_ids(&[20]);
        assert_eq!(p.updates[0].after.manager_id, Some(20));
    }

    #[test]
    fn an_unknown_manager_is_a_row_error() {
        let (_, p) = planned("E1,A,a@example.com,\nE2,B,b@example.com,E404\n", &[known(5, "E7")]);
        assert_eq!(p.errors.len(), 1);
        assert_eq!((p.errors[0].row, p.errors[0].path.as_str()), (Some(2), "manager_employee_id"));
        assert!(p.errors[0].message.contains("E404"), "{}", p.errors[0].message);
        assert!(planned("E2,B,b@example.com,E7\n", &[known(5, "E7")]).1.errors.is_empty());
    }

    #[test]
    fn new_people_managing_each_other_are_row_errors() {
        let (rows, p) =
            planned("E1,A,a@example.com,E2\nE2,B,b@example.com,E1\nE3,C,c@example.com,E3\nE4,D,d@example.com,\n", &[]);
        let in_error: Vec<Option<u64>> = p.errors.iter().map(|e| e.row).collect();
        assert_eq!(in_error, [Some(1), Some(2), Some(3)]);
        assert_eq!(employee_ids(&rows, &p), ["E4"]);
    }

    #[test]
    fn departments_created_for_the_file_are_linked_by_name() {
        let rows = parse("employee_id,first_name,department,cost_centre\nE1,A,Quantum Lab,CC-9\nE2,B,,\n").unwrap();
        let none = HashMap::new();
        let mut p = plan(&rows, &Directory { people: &[], departments: &none, cost_centres: &none }, false);
        assert_eq!(p.new_departments, ["Quantum Lab"]);
        assert_eq!(p.creates[0].department_id, Some(0));
        let departments = HashMap::from([("quantum lab".to_string(), 7)]);
        assert_eq!(p.link_new_names(&rows, &departments, &none), Err("CC-9".into()));
        let cost_centres = HashMap::from([("cc-9".to_string(), 3)]);
        p.link_new_names(&rows, &departments, &cost_centres).unwrap();
        let linked: Vec<_> = created(&rows, &p).iter().map(|r| (r.department_id, r.cost_centre_id)).collect();
        assert_eq!(linked, [(Some(7), Some(3)), (None, None)]);
    }

    #[test]
    fn new_names_are_linked_by_row_number_when_rows_in_error_are_left_out() {
        // Row 1 is in error and skipped, so the valid rows start at row 2: positions and row numbers differ.
        let parsed =
            read("employee_id,first_name,email,cost_centre\nE1,A,not-an-email,CC-1\nE2,B,,CC-NEW\nE3,C,,CC-1\n")
                .unwrap();
        assert_eq!(parsed.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3]);
        let existing = HashMap::from([("cc-1".to_string(), 1)]);
        let none = HashMap::new();
        let mut p = plan(&parsed.rows, &Directory { people: &[], departments: &none, cost_centres: &existing }, false);
        let with_new = HashMap::from([("cc-1".to_string(), 1), ("cc-new".to_string(), 9)]);
        p.link_new_names(&parsed.rows, &none, &with_new).unwrap();
        let records = created(&parsed.rows, &p);
        let linked: Vec<_> = p.creates.iter().zip(&records).map(|(c, r)| (c.row, r.cost_centre_id)).collect();
        assert_eq!(linked, [(2, Some(9)), (3, Some(1))]);
    }

    #[test]
    fn snipe_it_users_without_email_or_employee_number_come_in_by_username() {
        let text = "First Name,Last Name,Email,Username,Employee Number,Manager,VIP\n\
                    Ana,Boss,,aboss,,,yes\n\
                    Ben,Worker,,bworker,,Ana Boss,0\n\
                    Cy,Twin,cy@example.com,ctwin,,Sam Same,\n\
                    Dee,Odd,,dodd,,,maybe\n\
                    Eve,Dup,,ABOSS,,,\n";
        let parsed = read(text).unwrap();
        let errors: Vec<(Option<u64>, &str)> = parsed.row_errors.iter().map(|e| (e.row, e.path.as_str())).collect();
        assert_eq!(errors, [(Some(4), "vip"), (Some(5), "username")], "{:?}", parsed.row_errors);
        let same = |id: i64| PersonRecord {
            name: "Sam Same".into(),
            email: format!("sam{id}@example.com"),
            ..known(id, &format!("S{id}"))
        };
        let people = [same(1), same(2)];
        let none = HashMap::new();
        let plan =
            super::plan(&parsed.rows, &Directory { people: &people, departments: &none, cost_centres: &none }, false);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let records = created(&parsed.rows, &plan);
        let made: Vec<(&str, &str, bool)> =
            records.iter().map(|r| (r.username.as_deref().unwrap_or(""), r.email.as_str(), r.vip)).collect();
        assert_eq!(
            made,
            [
                ("aboss", "aboss@username.invalid", true),
                ("bworker", "bworker@username.invalid", false),
                ("ctwin", "cy@example.com", false)
            ]
        );
        // Ben's manager is named once (Ana, new in this file): linked once she has an id. Two people are called
        // Sam Same: not linked, and said so.
        let mut plan = plan;
        plan.assign_ids(&[101, 102, 103]);
        let records = created(&parsed.rows, &plan);
        assert_eq!(records[1].manager_id, Some(101));
        assert_eq!(records[2].manager_id, None);
        let warned: Vec<(Option<u64>, &str)> = plan.warnings.iter().map(|w| (w.row, w.message.as_str())).collect();
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].0, Some(3));
        assert!(warned[0].1.contains("names 2 people"), "{warned:?}");
        // A second file of the same users matches them by username, their placeholder addresses kept.
        let known_ana =
            PersonRecord { username: Some("aboss".into()), email: "aboss@username.invalid".into(), ..known(7, "X") };
        let again = read("First Name,Username,VIP\nAna,aboss,0\n").unwrap();
        let plan = super::plan(
            &again.rows,
            &Directory { people: &[known_ana], departments: &none, cost_centres: &none },
            false,
        );
        assert_eq!((plan.creates.len(), plan.updates.len()), (0, 1));
        assert_eq!((plan.updates[0].after.id, plan.updates[0].after.vip), (7, false));
    }
}
