//! Demo data: a believable 300-person company with about 40 license pools, for trying Seatwise out.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seatwise_types::{BillingPeriod, LicenseType, Money, PersonStatus, PoolInput, Role};

use crate::db::bulk::{self, PersonRow, SeatRow};
use crate::db::{catalog, contracts, jobs, pools, Conn};
use crate::domain::people::TERMINATION_REASON;
use crate::domain::pool as rules;
use crate::domain::renewals::{self as renewal_rules, ContractValues};
use crate::error::{AppError, AppResult};
use crate::service::accounts;
use crate::service::ledger::{self, Change};
use crate::state::AppState;

/// Department, cost-centre code, headcount.
const DEPARTMENTS: [(&str, &str, usize); 8] = [
    ("Engineering", "CC-100", 90),
    ("Sales", "CC-200", 60),
    ("Customer Success", "CC-500", 45),
    ("Marketing", "CC-300", 30),
    ("Finance", "CC-400", 20),
    ("People", "CC-400", 15),
    ("Design", "CC-600", 20),
    ("IT Operations", "CC-100", 20),
];

const COST_CENTRES: [(&str, &str); 6] = [
    ("CC-100", "Technology"),
    ("CC-200", "Revenue"),
    ("CC-300", "Marketing"),
    ("CC-400", "General & Administrative"),
    ("CC-500", "Customer"),
    ("CC-600", "Product Design"),
];

const FIRST: [&str; 40] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo", "Isabella", "Lucas", "Mia", "Amara", "Hiro",
    "Priya", "Chen", "Fatima", "Diego", "Ingrid", "Kwame", "Sofia", "Omar", "Yuki", "Lena", "Rafael", "Zara", "Aarav",
    "Nora", "Tomás", "Chloe", "Malik", "Elena", "Jonas", "Aisha", "Felix", "Maya", "Arjun", "Hannah", "Leo", "Grace",
    "Samir",
];

const LAST: [&str; 40] = [
    "Smith",
    "Garcia",
    "Kim",
    "Patel",
    "Nguyen",
    "Müller",
    "Rossi",
    "Okafor",
    "Silva",
    "Tanaka",
    "Cohen",
    "Johansson",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Chen",
    "Singh",
    "Brown",
    "Lopez",
    "Novak",
    "Ivanova",
    "Mensah",
    "Walker",
    "Fischer",
    "Moreau",
    "Yilmaz",
    "Costa",
    "Larsen",
    "Murphy",
    "Sato",
    "Ali",
    "Khan",
    "Schmidt",
    "Hughes",
    "Reyes",
    "Bianchi",
    "Lindqvist",
    "Adeyemi",
    "Park",
    "O'Brien",
];

struct PoolSpec {
    vendor: &'static str,
    product: &'static str,
    name: &'static str,
    tier: &'static str,
    license_type: LicenseType,
    /// `None` means the whole company.
    department: Option<&'static str>,
    seats: Option<i64>,
    unit_minor: i64,
    currency: &'static str,
    billing: BillingPeriod,
    /// Share of purchased seats in use, in percent (over 100 means over-assigned).
    utilization: i64,
    months_to_end: i64,
    auto_renew: bool,
    notice_days: i64,
}

#[allow(clippy::too_many_arguments)] // one row of the table below, positional on purpose
const fn spec(
    vendor: &'static str,
    product: &'static str,
    name: &'static str,
    tier: &'static str,
    license_type: LicenseType,
    department: Option<&'static str>,
    seats: Option<i64>,
    unit_minor: i64,
    billing: BillingPeriod,
    utilization: i64,
    months_to_end: i64,
    auto_renew: bool,
) -> PoolSpec {
    PoolSpec {
        vendor,
        product,
        name,
        tier,
        license_type,
        department,
        seats,
        unit_minor,
        currency: "USD",
        billing,
        utilization,
        months_to_end,
        auto_renew,
        notice_days: 30,
    }
}

use BillingPeriod::{Annual, Monthly};
use LicenseType::{Concurrent, PerUser, Site, Subscription};

const POOLS: [PoolSpec; 40] = [
    spec(
        "Microsoft",
        "Microsoft 365",
        "Microsoft 365 E3",
        "enterprise",
        PerUser,
        None,
        Some(250),
        3600,
        Monthly,
        104,
        7,
        true,
    ),
    spec(
        "Microsoft",
        "Microsoft 365",
        "Microsoft 365 E5 — Engineering",
        "enterprise",
        PerUser,
        Some("Engineering"),
        Some(40),
        5700,
        Monthly,
        95,
        7,
        true,
    ),
    spec(
        "Microsoft",
        "Visio",
        "Visio Plan 2",
        "premium",
        PerUser,
        Some("IT Operations"),
        Some(15),
        1500,
        Monthly,
        33,
        11,
        true,
    ),
    spec(
        "Microsoft",
        "Power BI",
        "Power BI Pro",
        "premium",
        PerUser,
        Some("Finance"),
        Some(20),
        1000,
        Monthly,
        85,
        4,
        true,
    ),
    spec(
        "Adobe",
        "Creative Cloud",
        "Creative Cloud All Apps",
        "enterprise",
        PerUser,
        Some("Design"),
        Some(25),
        8999,
        Monthly,
        72,
        2,
        true,
    ),
    spec(
        "Adobe",
        "Creative Cloud",
        "Creative Cloud — Marketing",
        "standard",
        PerUser,
        Some("Marketing"),
        Some(20),
        8999,
        Monthly,
        30,
        2,
        true,
    ),
    spec(
        "Adobe",
        "Acrobat",
        "Acrobat Pro",
        "standard",
        PerUser,
        Some("Finance"),
        Some(30),
        23988,
        Annual,
        60,
        9,
        false,
    ),
    spec(
        "Salesforce",
        "Sales Cloud",
        "Sales Cloud Enterprise",
        "enterprise",
        PerUser,
        Some("Sales"),
        Some(55),
        198000,
        Annual,
        109,
        5,
        true,
    ),
    spec(
        "Salesforce",
        "Service Cloud",
        "Service Cloud Professional",
        "standard",
        PerUser,
        Some("Customer Success"),
        Some(50),
        90000,
        Annual,
        80,
        13,
        true,
    ),
    spec(
        "Zoom",
        "Zoom Workplace",
        "Zoom Workplace Business",
        "premium",
        PerUser,
        None,
        Some(120),
        2199,
        Monthly,
        45,
        1,
        true,
    ),
    spec(
        "Zoom",
        "Zoom Rooms",
        "Zoom Rooms",
        "standard",
        Concurrent,
        Some("IT Operations"),
        Some(12),
        4999,
        Monthly,
        100,
        6,
        true,
    ),
    spec(
        "Atlassian",
        "Jira",
        "Jira Software Premium",
        "premium",
        PerUser,
        Some("Engineering"),
        Some(100),
        1600,
        Monthly,
        88,
        3,
        true,
    ),
    spec(
        "Atlassian",
        "Confluence",
        "Confluence Standard",
        "standard",
        PerUser,
        None,
        Some(200),
        605,
        Monthly,
        64,
        3,
        true,
    ),
    spec(
        "Atlassian",
        "Jira Service Management",
        "Jira Service Management",
        "standard",
        PerUser,
        Some("IT Operations"),
        Some(25),
        2100,
        Monthly,
        76,
        10,
        true,
    ),
    spec("Slack", "Slack", "Slack Business+", "premium", PerUser, None, Some(300), 15000, Annual, 93, 8, true),
    spec(
        "GitHub",
        "GitHub Enterprise",
        "GitHub Enterprise Cloud",
        "enterprise",
        PerUser,
        Some("Engineering"),
        Some(95),
        2100,
        Monthly,
        92,
        12,
        true,
    ),
    spec(
        "GitHub",
        "GitHub Copilot",
        "GitHub Copilot Business",
        "standard",
        PerUser,
        Some("Engineering"),
        Some(80),
        1900,
        Monthly,
        56,
        12,
        true,
    ),
    spec(
        "Figma",
        "Figma",
        "Figma Organization",
        "enterprise",
        PerUser,
        Some("Design"),
        Some(20),
        54000,
        Annual,
        100,
        4,
        true,
    ),
    spec("Figma", "FigJam", "FigJam", "standard", PerUser, None, Some(60), 500, Monthly, 22, 4, true),
    spec(
        "1Password",
        "1Password Business",
        "1Password Business",
        "standard",
        PerUser,
        None,
        Some(320),
        799,
        Monthly,
        90,
        14,
        true,
    ),
    spec(
        "Okta",
        "Workforce Identity",
        "Okta Workforce Identity",
        "enterprise",
        PerUser,
        None,
        Some(310),
        600,
        Monthly,
        94,
        15,
        true,
    ),
    spec(
        "DocuSign",
        "eSignature",
        "DocuSign Business Pro",
        "premium",
        PerUser,
        Some("Sales"),
        Some(25),
        6500,
        Monthly,
        40,
        6,
        false,
    ),
    spec(
        "Salesforce",
        "Tableau",
        "Tableau Creator",
        "standard",
        PerUser,
        Some("Finance"),
        Some(8),
        90000,
        Annual,
        50,
        9,
        false,
    ),
    spec(
        "Oracle",
        "NetSuite",
        "NetSuite ERP",
        "enterprise",
        Subscription,
        Some("Finance"),
        Some(15),
        129900,
        Annual,
        87,
        11,
        true,
    ),
    spec(
        "Workday",
        "Workday HCM",
        "Workday HCM",
        "enterprise",
        Site,
        Some("People"),
        None,
        18000000,
        Annual,
        0,
        14,
        true,
    ),
    spec(
        "Greenhouse",
        "Greenhouse Recruiting",
        "Greenhouse Recruiting",
        "premium",
        PerUser,
        Some("People"),
        Some(12),
        240000,
        Annual,
        83,
        5,
        true,
    ),
    spec(
        "Gong",
        "Gong",
        "Gong Revenue Intelligence",
        "standard",
        PerUser,
        Some("Sales"),
        Some(40),
        120000,
        Annual,
        65,
        8,
        true,
    ),
    spec(
        "HubSpot",
        "Marketing Hub",
        "HubSpot Marketing Hub Professional",
        "premium",
        PerUser,
        Some("Marketing"),
        Some(10),
        9000,
        Monthly,
        90,
        1,
        true,
    ),
    spec(
        "Zendesk",
        "Zendesk Suite",
        "Zendesk Suite Professional",
        "premium",
        PerUser,
        Some("Customer Success"),
        Some(45),
        11500,
        Monthly,
        97,
        6,
        true,
    ),
    spec(
        "Intercom",
        "Intercom",
        "Intercom Advanced",
        "premium",
        PerUser,
        Some("Customer Success"),
        Some(20),
        8500,
        Monthly,
        25,
        3,
        true,
    ),
    spec("Miro", "Miro", "Miro Business", "standard", PerUser, Some("Design"), Some(40), 1600, Monthly, 48, 10, true),
    spec(
        "Notion",
        "Notion",
        "Notion Plus",
        "standard",
        PerUser,
        Some("Marketing"),
        Some(30),
        1000,
        Monthly,
        70,
        2,
        true,
    ),
    spec(
        "JetBrains",
        "All Products Pack",
        "JetBrains All Products Pack",
        "standard",
        PerUser,
        Some("Engineering"),
        Some(45),
        77900,
        Annual,
        102,
        9,
        true,
    ),
    spec(
        "Datadog",
        "Datadog",
        "Datadog Pro",
        "premium",
        Subscription,
        Some("Engineering"),
        Some(30),
        2300,
        Monthly,
        60,
        7,
        true,
    ),
    spec(
        "PagerDuty",
        "PagerDuty",
        "PagerDuty Business",
        "premium",
        PerUser,
        Some("Engineering"),
        Some(35),
        4100,
        Monthly,
        77,
        12,
        true,
    ),
    spec(
        "Postman",
        "Postman",
        "Postman Enterprise",
        "enterprise",
        PerUser,
        Some("Engineering"),
        Some(50),
        4900,
        Monthly,
        18,
        5,
        true,
    ),
    spec(
        "Canva",
        "Canva",
        "Canva Teams",
        "standard",
        PerUser,
        Some("Marketing"),
        Some(15),
        1000,
        Monthly,
        87,
        11,
        true,
    ),
    spec(
        "LinkedIn",
        "Sales Navigator",
        "LinkedIn Sales Navigator",
        "premium",
        PerUser,
        Some("Sales"),
        Some(30),
        119900,
        Annual,
        113,
        0,
        true,
    ),
    spec(
        "Lucid",
        "Lucidchart",
        "Lucidchart Team",
        "standard",
        PerUser,
        Some("IT Operations"),
        Some(20),
        900,
        Monthly,
        15,
        13,
        true,
    ),
    spec(
        "Grammarly",
        "Grammarly Business",
        "Grammarly Business",
        "standard",
        PerUser,
        None,
        Some(60),
        1500,
        Monthly,
        38,
        1,
        false,
    ),
];

/// The demo accounts: email, name, roles, departments (for license owners).
const ACCOUNTS: [(&str, &str, Role, &[&str]); 4] = [
    ("admin@example.com", "Ada Admin", Role::Admin, &[]),
    ("owner@example.com", "Omar Owner", Role::LicenseOwner, &["Engineering", "Design"]),
    ("finance@example.com", "Fiona Finance", Role::Finance, &[]),
    ("approver@example.com", "Arjun Approver", Role::Approver, &[]),
];

/// The department of the demo license owner's own person record.
const OWNER_DEPARTMENT: &str = "Engineering";
/// The contract the browser tests decide on.
pub const E2E_CONTRACT: &str = "Figma Organization";

/// One contract per pool (Microsoft's pools share an enterprise agreement); FigJam is a monthly rolling
/// subscription. (index into POOLS, pool id, vendor id, start, end).
async fn seed_contracts(
    tx: &mut Conn,
    pools: &[(usize, i64, i64, NaiveDate, NaiveDate)],
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let mut microsoft: Option<i64> = None;
    for (i, pool_id, vendor_id, start, end) in pools {
        let s = &POOLS[*i];
        if s.vendor == "Microsoft" {
            if let Some(id) = microsoft {
                contracts::set_pool(tx, id, *pool_id).await?;
                continue;
            }
        }
        let rolling = s.name == "FigJam";
        let (start, end) = if rolling {
            let first = today.with_day(1).unwrap_or(today);
            (first, add_months(first, 1) - Duration::days(1))
        } else {
            (*start, *end)
        };
        let (number, title) = if s.vendor == "Microsoft" {
            ("MS-EA-7731".to_string(), "Microsoft Enterprise Agreement".to_string())
        } else {
            let prefix: String = s.vendor.chars().filter(char::is_ascii_alphanumeric).take(3).collect();
            (format!("{}-{}", prefix.to_uppercase(), 2400 + i), s.name.to_string())
        };
        let values = ContractValues {
            vendor_id: *vendor_id,
            number,
            title,
            term_start: start,
            term_end: end,
            term_months: if rolling { 1 } else { 12 },
            auto_renew: s.auto_renew,
            notice_days: if rolling { 0 } else { s.notice_days },
            renewal_price: None,
            vendor_contact: Some(format!("renewals@{}.example", s.vendor.to_lowercase().replace(' ', ""))),
            documents: vec![format!("https://contracts.example.com/{}/{}.pdf", s.vendor.to_lowercase(), 2400 + i)],
        };
        let id = contracts::insert(tx, &values, s.currency, now).await?;
        let (_, key_date) = renewal_rules::key_date(values.auto_renew, end, values.notice_days);
        let term = contracts::NewTerm {
            contract_id: id,
            seq: 1,
            start,
            end,
            cancel_by: renewal_rules::cancel_by(end, values.notice_days),
            key_date,
            price_minor: None,
            seats: s.seats,
            tier: Some(s.tier.to_string()),
        };
        contracts::insert_term(tx, &term, now).await?;
        contracts::set_pool(tx, id, *pool_id).await?;
        if s.vendor == "Microsoft" {
            microsoft = Some(id);
        }
    }
    contracts::sync_running_terms(tx, today, None).await?;
    Ok(())
}

pub fn account_emails() -> impl Iterator<Item = (&'static str, Role)> {
    ACCOUNTS.iter().map(|(email, _, role, _)| (*email, *role))
}

/// Seed the demo company into an empty database. Returns false when there was already data.
pub async fn seed(state: &AppState, password: &str) -> AppResult<bool> {
    if !bulk::is_empty(&state.db.read).await? {
        return Ok(false);
    }
    let now = state.clock.now();
    let today = now.date_naive();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut tx = state.db.begin().await?;

    let mut cost_centre_ids = Vec::new();
    for (code, name) in COST_CENTRES {
        cost_centre_ids.push((code, catalog::insert_cost_centre(&mut tx, code, name).await?));
    }
    let cc_id = |code: &str| cost_centre_ids.iter().find(|(c, _)| *c == code).map_or(0, |(_, id)| *id);
    let mut departments = Vec::new();
    let mut people = Vec::new();
    let mut n = 0usize;
    for (name, cc, headcount) in DEPARTMENTS {
        let id = catalog::insert_department(&mut tx, name).await?;
        departments.push((name, id, cc_id(cc)));
        if name == OWNER_DEPARTMENT {
            // The demo license owner is a person too: owner of Engineering's and Design's pools, so renewal
            // alerts and the calendar feed reach their login.
            people.push(PersonRow {
                name: "Omar Owner".into(),
                email: "owner@example.com".into(),
                department_id: id,
                cost_centre_id: cc_id(cc),
                status: PersonStatus::Active,
            });
        }
        for _ in 0..headcount {
            let first = FIRST[n % FIRST.len()];
            let last = LAST[(n / FIRST.len() + n * 7) % LAST.len()];
            let status = match rng.gen_range(0..100) {
                0..=2 => PersonStatus::Terminated,
                3..=4 => PersonStatus::OnLeave,
                _ => PersonStatus::Active,
            };
            let email = format!("{}.{}{}@example.com", ascii(first), ascii(last), n);
            people.push(PersonRow {
                name: format!("{first} {last}"),
                email,
                department_id: id,
                cost_centre_id: cc_id(cc),
                status,
            });
            n += 1;
        }
    }
    let person_ids = bulk::insert_people(&mut tx, &people, now).await?;
    let dept_of = |name: &str| departments.iter().find(|(d, _, _)| *d == name).map_or((0, 0), |(_, id, cc)| (*id, *cc));
    let members = |dept_id: Option<i64>| -> Vec<i64> {
        people
            .iter()
            .zip(&person_ids)
            .filter(|(p, _)| dept_id.is_none_or(|d| p.department_id == d) && p.status != PersonStatus::Terminated)
            .map(|(_, id)| *id)
            .collect()
    };
    // People who left recently still hold seats until someone reclaims them: the point of the product.
    let leavers: Vec<i64> = people
        .iter()
        .zip(&person_ids)
        .filter(|(p, _)| p.status == PersonStatus::Terminated)
        .map(|(_, id)| *id)
        .collect();

    let omar = person_ids.first().copied();
    let mut vendors: Vec<(&str, i64)> = Vec::new();
    let mut contract_pools: Vec<(usize, i64, i64, NaiveDate, NaiveDate)> = Vec::new();
    let mut products: Vec<(&str, &str, i64)> = Vec::new();
    for s in &POOLS {
        let vendor_id = match vendors.iter().find(|(v, _)| *v == s.vendor) {
            Some((_, id)) => *id,
            None => {
                let id = catalog::insert_vendor(&mut tx, s.vendor, None).await?;
                vendors.push((s.vendor, id));
                id
            }
        };
        let product_id = match products.iter().find(|(v, p, _)| *v == s.vendor && *p == s.product) {
            Some((_, _, id)) => *id,
            None => {
                let id = catalog::insert_product(&mut tx, vendor_id, s.product).await?;
                products.push((s.vendor, s.product, id));
                id
            }
        };
        let (department_id, cost_centre_id) = dept_of(s.department.unwrap_or("IT Operations"));
        let candidates = members(s.department.map(|d| dept_of(d).0));
        let owner_id = match s.department {
            Some("Engineering" | "Design") => omar,
            _ => candidates.first().copied(),
        };
        let mut end = add_months(today, s.months_to_end) + Duration::days(rng.gen_range(0..28));
        if s.name == E2E_CONTRACT {
            // Its cancel-by date is 20 days away: the 30-day alert fires on the first daily run.
            end = today + Duration::days(50);
        }
        let start = add_months(end, -12) + Duration::days(1);
        let input = PoolInput {
            name: s.name.into(),
            product_id,
            tier: s.tier.into(),
            license_type: Some(s.license_type),
            seats_purchased: s.seats,
            allow_overage: false,
            unit_cost: Some(Money::new(s.unit_minor, s.currency)),
            billing_period: Some(s.billing),
            cost_centre_id,
            department_id,
            owner_id,
            contract_start: Some(start),
            contract_end: Some(end),
            auto_renew: s.auto_renew,
            notice_days: Some(s.notice_days),
            po_number: Some(format!("PO-{}", 24000 + rng.gen_range(100..999))),
            notes: None,
        };
        let values = rules::validate(&input, vendor_id).map_err(AppError::validation)?;
        let pool_id = pools::insert(&mut tx, &values, now).await?;

        let wanted = match s.seats {
            Some(seats) => (seats * s.utilization / 100) as usize,
            None => candidates.len() * 9 / 10,
        };
        let mut holders: Vec<i64> = candidates.iter().copied().take(wanted).collect();
        if s.utilization > 100 || s.department.is_none() {
            holders.extend(leavers.iter().take(3));
        }
        let seats: Vec<SeatRow> = holders
            .iter()
            .map(|person_id| SeatRow {
                pool_id,
                person_id: *person_id,
                assigned_at: now - Duration::days(rng.gen_range(1..700)),
            })
            .collect();
        bulk::insert_seats(&mut tx, &seats, "demo").await?;
        contract_pools.push((contract_pools.len(), pool_id, vendor_id, start, end));
        let pool = {
            pools::set_seat_count(&mut tx, pool_id).await?;
            pools::get(&mut *tx, pool_id).await?.ok_or(AppError::NotFound("pool"))?
        };
        ledger::record(&mut tx, now, "demo", Change::created("pool.create", "pool", Some(pool_id), &pool)).await?;
    }
    seed_contracts(&mut tx, &contract_pools, today, now).await?;
    // The demo runs its daily renewal job whatever the hour, so alerts are there as soon as it starts.
    jobs::save_org_settings(&mut tx, "UTC", "90,60,30", 3, 0, now).await?;
    // Leavers' seats are already marked for reclamation, as if HR had told us the day they left.
    for id in &leavers {
        let latency_ms = rng.gen_range(40_000..4_000_000);
        pools::mark_person_seats(&mut tx, *id, TERMINATION_REASON, now, latency_ms).await?;
    }
    let summary = serde_json::json!({ "people": people.len(), "pools": POOLS.len(), "departments": DEPARTMENTS.len() });
    ledger::record(&mut tx, now, "demo", Change::created("demo.seed", "system", None, &summary)).await?;
    tx.commit().await?;

    for (email, name, role, depts) in ACCOUNTS {
        let ids = depts.iter().map(|d| dept_of(d).0).collect();
        let input = seatwise_types::UserCreate {
            email: email.to_string(),
            name: name.to_string(),
            password: password.into(),
            roles: vec![role],
            department_ids: ids,
        };
        accounts::create_demo_user(&state.db, &*state.clock, &state.hasher, &input).await?;
    }
    Ok(true)
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' => 'a',
            'ü' => 'u',
            '\'' => '-',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_lowercase()
}

fn add_months(d: NaiveDate, months: i64) -> NaiveDate {
    if months >= 0 {
        d.checked_add_months(chrono::Months::new(months as u32)).unwrap_or(d)
    } else {
        d.checked_sub_months(chrono::Months::new((-months) as u32)).unwrap_or(d)
    }
}
