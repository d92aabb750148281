//! Vendors, products, departments, cost centres and people.

use chrono::{DateTime, Utc};
use seatwise_types::{
    cost_centre_label, CostCentre, Department, EmploymentType, Page, Person, PersonStatus, Product, Ref, Vendor,
};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use super::decode::Cols;
use super::document;
use super::{Backend, Conn, Sql};
use crate::clock::to_db;

fn department_from_row(r: &AnyRow) -> Result<Department, sqlx::Error> {
    let c = Cols::new(r, "departments");
    Ok(Department { id: c.i64("id")?, name: c.text("name")? })
}

pub async fn departments(db: &AnyPool) -> Result<Vec<Department>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM departments ORDER BY name").fetch_all(db).await?;
    rows.iter().map(department_from_row).collect()
}

pub async fn department(db: &AnyPool, id: i64) -> Result<Option<Department>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name FROM departments WHERE id = $1").bind(id).fetch_optional(db).await?;
    row.as_ref().map(department_from_row).transpose()
}

pub async fn insert_department(conn: &mut Conn, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO departments (name) VALUES ($1) RETURNING id").bind(name).fetch_one(conn).await
}

pub async fn cost_centres(db: &AnyPool) -> Result<Vec<CostCentre>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, code, name FROM cost_centres ORDER BY code").fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "cost_centres");
            Ok(CostCentre { id: c.i64("id")?, code: c.text("code")?, name: c.text("name")? })
        })
        .collect()
}

pub async fn insert_cost_centre(conn: &mut Conn, code: &str, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO cost_centres (code, name) VALUES ($1, $2) RETURNING id")
        .bind(code)
        .bind(name)
        .fetch_one(conn)
        .await
}

pub async fn exists(db: &AnyPool, table: CatalogTable, id: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE id = $1", table.name());
    let n: i64 = sqlx::query_scalar(&sql).bind(id).fetch_one(db).await?;
    Ok(n > 0)
}

/// Which of `ids` have no row in `table`, in order.
pub async fn missing(conn: &mut crate::db::Conn, table: CatalogTable, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    use super::bulk::{self, Statement};
    let sql = format!(
        "SELECT r.id FROM {{rows}} WHERE NOT EXISTS (SELECT 1 FROM {} t WHERE t.id = r.id) ORDER BY r.n",
        table.name()
    );
    let statement = Statement { sql: &sql, cols: bulk::ID, args: &[] };
    let rows = bulk::fetch(conn, &statement, &bulk::ids(ids)).await?;
    rows.iter().map(|r| super::decode::Cols::new(r, table.name()).i64("id")).collect()
}

/// Tables whose rows are checked for existence before they are referenced (names are fixed, never user input).
#[derive(Debug, Clone, Copy)]
pub enum CatalogTable {
    Departments,
    CostCentres,
    People,
    Pools,
    Products,
    Vendors,
    Users,
}

impl CatalogTable {
    fn name(self) -> &'static str {
        match self {
            CatalogTable::Departments => "departments",
            CatalogTable::CostCentres => "cost_centres",
            CatalogTable::People => "people",
            CatalogTable::Pools => "pools",
            CatalogTable::Products => "products",
            CatalogTable::Vendors => "vendors",
            CatalogTable::Users => "users",
        }
    }
}

pub async fn vendors(db: &AnyPool) -> Result<Vec<Vendor>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT v.id, v.name, v.website, (SELECT COUNT(*) FROM pools p WHERE p.vendor_id = v.id) AS pool_count \
         FROM vendors v ORDER BY v.name",
    )
    .fetch_all(db)
    .await?;
    rows.iter().map(vendor_from_row).collect()
}

pub async fn vendor(db: &AnyPool, id: i64) -> Result<Option<Vendor>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT v.id, v.name, v.website, (SELECT COUNT(*) FROM pools p WHERE p.vendor_id = v.id) AS pool_count \
         FROM vendors v WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(vendor_from_row).transpose()
}

fn vendor_from_row(r: &AnyRow) -> Result<Vendor, sqlx::Error> {
    let c = Cols::new(r, "vendors");
    Ok(Vendor {
        id: c.i64("id")?,
        name: c.text("name")?,
        website: c.opt_text("website")?,
        pool_count: c.i64("pool_count")?,
    })
}

/// Any case; the database folds both sides (SQLite only ASCII), so a stored name is always found.
pub async fn vendor_name_taken(db: &AnyPool, name: &str, except: Option<i64>) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vendors WHERE LOWER(name) = LOWER($1) AND id <> $2")
        .bind(name)
        .bind(except.unwrap_or(-1))
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

pub async fn insert_vendor(conn: &mut Conn, name: &str, website: Option<&str>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO vendors (name, website) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(website.map(str::to_string))
        .fetch_one(conn)
        .await
}

pub async fn products(db: &AnyPool) -> Result<Vec<Product>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT pr.id, pr.name, v.id AS vendor_id, v.name AS vendor_name \
         FROM products pr JOIN vendors v ON v.id = pr.vendor_id ORDER BY v.name, pr.name",
    )
    .fetch_all(db)
    .await?;
    rows.iter().map(product_from_row).collect()
}

pub async fn product(db: &AnyPool, id: i64) -> Result<Option<Product>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT pr.id, pr.name, v.id AS vendor_id, v.name AS vendor_name \
         FROM products pr JOIN vendors v ON v.id = pr.vendor_id WHERE pr.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(product_from_row).transpose()
}

fn product_from_row(r: &AnyRow) -> Result<Product, sqlx::Error> {
    let c = Cols::new(r, "products");
    Ok(Product {
        id: c.i64("id")?,
        name: c.text("name")?,
        vendor: Ref { id: c.i64("vendor_id")?, name: c.text("vendor_name")? },
    })
}

pub async fn product_name_taken(db: &AnyPool, vendor_id: i64, name: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE vendor_id = $1 AND LOWER(name) = LOWER($2)")
        .bind(vendor_id)
        .bind(name)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

pub async fn insert_product(conn: &mut Conn, vendor_id: i64, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO products (vendor_id, name) VALUES ($1, $2) RETURNING id")
        .bind(vendor_id)
        .bind(name)
        .fetch_one(conn)
        .await
}

pub struct NewPerson<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub status: PersonStatus,
}

pub async fn insert_person(conn: &mut Conn, p: &NewPerson<'_>, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO people (name, email, department_id, cost_centre_id, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.name)
    .bind(p.email.to_lowercase())
    .bind(p.department_id)
    .bind(p.cost_centre_id)
    .bind(p.status.as_str())
    .bind(to_db(now))
    .fetch_one(conn)
    .await
}

const PERSON_SELECT: &str = "SELECT pe.id, pe.name, pe.email, pe.employee_id, pe.username, pe.vip, pe.manager_id, \
     (SELECT m.name FROM people m WHERE m.id = pe.manager_id) AS manager_name, pe.status, pe.employment_type, \
     pe.start_date, pe.end_date, pe.terminated_at, pe.department_id, d.name AS department_name, \
     pe.cost_centre_id, cc.code AS cost_centre_code, cc.name AS cost_centre_name, \
     pe.version, (SELECT COUNT(*) FROM seat_assignments a WHERE a.person_id = pe.id) AS seats_held FROM people pe \
     LEFT JOIN departments d ON d.id = pe.department_id LEFT JOIN cost_centres cc ON cc.id = pe.cost_centre_id";

/// The result columns of [`PERSON_SELECT`], for reading a page as one document.
const PERSON_FIELDS: &[&str] = &[
    "id",
    "name",
    "email",
    "employee_id",
    "username",
    "vip",
    "manager_id",
    "manager_name",
    "status",
    "employment_type",
    "start_date",
    "end_date",
    "terminated_at",
    "department_id",
    "department_name",
    "cost_centre_id",
    "cost_centre_code",
    "cost_centre_name",
    "version",
    "seats_held",
];

fn person_from_row(r: &AnyRow) -> Result<Person, sqlx::Error> {
    person_from(&Cols::new(r, "people"))
}

fn person_from(c: &Cols<'_>) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: c.i64("id")?,
        name: c.text("name")?,
        email: c.text("email")?,
        employee_id: c.opt_text("employee_id")?,
        username: c.opt_text("username")?,
        vip: c.flag("vip")?,
        manager: match c.opt_i64("manager_id")? {
            Some(id) => Some(Ref { id, name: c.text("manager_name")? }),
            None => None,
        },
        status: c.parsed("status", PersonStatus::parse)?,
        employment_type: c.parsed("employment_type", EmploymentType::parse)?,
        start_date: c.opt_date("start_date")?,
        end_date: c.opt_date("end_date")?,
        terminated_at: c.opt_timestamp("terminated_at")?,
        seats_held: c.i64("seats_held")?,
        version: c.i64("version")?,
        department: match c.opt_i64("department_id")? {
            Some(id) => Some(Ref { id, name: c.text("department_name")? }),
            None => None,
        },
        cost_centre: match c.opt_i64("cost_centre_id")? {
            Some(id) => {
                Some(Ref { id, name: cost_centre_label(&c.text("cost_centre_code")?, &c.text("cost_centre_name")?) })
            }
            None => None,
        },
    })
}

pub async fn person<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: i64,
) -> Result<Option<Person>, sqlx::Error> {
    let sql = format!("{PERSON_SELECT} WHERE pe.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(exec).await?;
    row.as_ref().map(person_from_row).transpose()
}

pub struct PeopleFilter {
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub status: Option<PersonStatus>,
    pub holds_seats: Option<bool>,
    /// No sign-in recorded from any source since this time.
    pub no_signin_since: Option<DateTime<Utc>>,
    /// People this import created or changed.
    pub import_id: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn people(db: &AnyPool, backend: Backend, f: &PeopleFilter) -> Result<Page<Person>, sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM people pe");
    push_people_where(&mut count, backend, f);
    let mut list = Sql::new(PERSON_SELECT);
    push_people_where(&mut list, backend, f);
    list.push(" ORDER BY pe.name, pe.id LIMIT ").bind(f.per_page).push(" OFFSET ").bind((f.page - 1) * f.per_page);
    let (total, rows) = document::fetch_counted(db, backend, &count, &list, PERSON_FIELDS).await?;
    Ok(Page { items: rows.map("people", person_from)?, total, page: f.page, per_page: f.per_page })
}

fn push_people_where(w: &mut Sql, backend: Backend, f: &PeopleFilter) {
    w.push(" WHERE 1 = 1");
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        push_people_search(w, backend, &q.to_lowercase());
    }
    if let Some(d) = f.department_id {
        w.push(" AND pe.department_id = ").bind(d);
    }
    if let Some(s) = f.status {
        w.push(" AND pe.status = ").bind(s.as_str());
    }
    if let Some(cc) = f.cost_centre_id {
        w.push(" AND pe.cost_centre_id = ").bind(cc);
    }
    match f.holds_seats {
        Some(true) => w.push(" AND EXISTS (SELECT 1 FROM seat_assignments a WHERE a.person_id = pe.id)"),
        Some(false) => w.push(" AND NOT EXISTS (SELECT 1 FROM seat_assignments a WHERE a.person_id = pe.id)"),
        None => w,
    };
    if let Some(since) = f.no_signin_since {
        w.push(" AND NOT EXISTS (SELECT 1 FROM person_signins s WHERE s.person_id = pe.id AND s.last_sign_in_at >= ")
            .bind(to_db(since))
            .push(")");
    }
    if let Some(import) = f.import_id {
        w.push(
            " AND pe.id IN (SELECT i.record_id FROM import_records i WHERE i.record_type = 'person' AND i.import_id = ",
        )
        .bind(import)
        .push(")");
    }
}

/// Name or e-mail contains `q` (lower-cased), ignoring case; `%`, `_` and backslashes are plain characters. Both
/// backends answer from a trigram index (migration 0011): SQLite's FTS5 table `people_search`, PostgreSQL's
/// `pg_trgm` GIN indexes on `LOWER(name)` and `LOWER(email)`.
fn push_people_search(w: &mut Sql, backend: Backend, q: &str) {
    // A trigram index cannot serve fewer than three characters (FTS5 would match nothing), so a one- or
    // two-character query scans the directory on SQLite; it matches much of it anyway. PostgreSQL's planner picks
    // the scan by itself.
    if backend == Backend::Sqlite && q.chars().count() >= 3 {
        // One FTS5 string (a phrase of trigrams): the substring itself, its quotes doubled.
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        w.push(" AND pe.id IN (SELECT rowid FROM people_search WHERE people_search MATCH ").bind(phrase).push(")");
        return;
    }
    let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    w.push(" AND (LOWER(pe.name) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
    w.push(" OR LOWER(pe.email) LIKE ").bind(pattern).push(" ESCAPE '\\')");
}

/// Set a person's status; `terminated_at` is kept from the first termination and cleared on rehire.
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    status: PersonStatus,
    terminated_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE people SET status = $1, terminated_at = $2, updated_at = $3, version = version + 1 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(terminated_at.map(to_db))
    .bind(to_db(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Departments by lower-case name, for matching imported rows.
pub async fn department_names(conn: &mut Conn) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM departments").fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "departments");
            Ok((c.text("name")?.to_lowercase(), c.i64("id")?))
        })
        .collect()
}

/// Cost centres by lower-case code.
pub async fn cost_centre_codes(conn: &mut Conn) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, code FROM cost_centres").fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let c = Cols::new(r, "cost_centres");
            Ok((c.text("code")?.to_lowercase(), c.i64("id")?))
        })
        .collect()
}

/// People by id through the bulk path (imports read many at once), in id order.
pub async fn people_by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Person>, sqlx::Error> {
    use super::bulk;
    let sql = format!("{PERSON_SELECT} WHERE pe.id IN (SELECT r.id FROM {{rows}}) ORDER BY pe.id");
    let statement = bulk::Statement { sql: &sql, cols: bulk::ID, args: &[] };
    bulk::fetch(conn, &statement, &bulk::ids(ids)).await?.iter().map(person_from_row).collect()
}
