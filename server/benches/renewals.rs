//! What the daily renewal job costs for a large contract book (default 50,000 contracts, one per pool, a tenth
//! of them monthly rolling), on the database in SEATWISE_BENCH_DATABASE_URL (default
//! `sqlite://target/bench/renewals.db`, generated on first use). Prints:
//! - the catch-up run: the first day, when every contract within 90 days of its date gets its alert at once;
//! - 30 ordinary days after it (a few alerts and tacit renewals each);
//! - a day with nothing left to do (the scan alone).
//!
//! Mail is queued in the outbox as in production (sending is a separate step). See BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use seatwise_server::clock::SystemClock;
use seatwise_server::db::Db;
use seatwise_server::generate;
use seatwise_server::service::mailer::Mailer;
use seatwise_server::service::{org, renewal_job};
use seatwise_server::state::{AppState, Settings};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sql).execute(&db.write).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run() {
    let url = std::env::var("SEATWISE_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/../target/bench/renewals.db", env!("CARGO_MANIFEST_DIR")));
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    // A mailer is configured so alerts queue their mail, as in production; nothing is sent here.
    let mailer = Mailer::from_url("smtp://127.0.0.1:9", "Seatwise <bench@example.com>").expect("mailer");
    let state = AppState::new(db.clone(), Arc::new(SystemClock), Settings::default()).with_mailer(Some(mailer));
    let contracts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contracts").fetch_one(&db.read).await.expect("count");
    if contracts == 0 {
        let size = generate::Size {
            people: env_usize("BENCH_PEOPLE", 20_000),
            pools: env_usize("BENCH_CONTRACTS", 50_000),
            assignments: env_usize("BENCH_ASSIGNMENTS", 200_000),
            seed: 7,
            contracts: true,
            products: 100,
            usage: false,
        };
        generate::run(&state.db, &*state.clock, &size).await.expect("generate");
    }
    // Back to the generated state, so every run measures the same work.
    for sql in [
        "DELETE FROM outbox",
        "DELETE FROM alert_recipients",
        "DELETE FROM alerts",
        "DELETE FROM job_runs",
        "DELETE FROM contract_terms WHERE seq > 1",
        "UPDATE contract_terms SET decision = NULL, decided_by = NULL, decided_at = NULL",
    ] {
        exec(&db, sql).await;
    }
    let created: String =
        sqlx::query_scalar("SELECT MIN(created_at) FROM contracts").fetch_one(&db.read).await.expect("created");
    let day0: NaiveDate = created[..10].parse().expect("date");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contracts").fetch_one(&db.read).await.expect("count");
    let org = org::load(&db).await.expect("org");
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("renewal job, {count} contracts on {backend}");

    let at = |d: NaiveDate| d.and_hms_opt(9, 0, 0).expect("time").and_utc();
    let started = Instant::now();
    let first = renewal_job::run_day(&state.db, state.outbox(), &org, day0, at(day0)).await.expect("run");
    println!(
        "  catch-up day:  {:>8.1?}  checked {} terms, raised {} alerts, queued {} mails, renewed {}",
        started.elapsed(),
        first.terms_checked,
        first.alerts,
        first.mails,
        first.renewed
    );
    let mut times = Vec::new();
    let (mut alerts, mut renewed) = (0, 0);
    for n in 1..=30 {
        let day = day0.checked_add_days(Days::new(n)).expect("day");
        let t = Instant::now();
        let s = renewal_job::run_day(&state.db, state.outbox(), &org, day, at(day)).await.expect("run");
        times.push(t.elapsed());
        alerts += s.alerts;
        renewed += s.renewed;
    }
    let max = times.iter().max().copied().unwrap_or_default();
    println!(
        "  ordinary day:  {:>8.1?}  median, {:.1?} max over 30 days ({alerts} alerts, {renewed} renewals in all)",
        median(times),
        max
    );
    let last = day0.checked_add_days(Days::new(30)).expect("day");
    let mut idle = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        renewal_job::run_day(&state.db, state.outbox(), &org, last, at(last)).await.expect("run");
        idle.push(t.elapsed());
    }
    println!("  nothing to do: {:>8.1?}  median of 5 (the scan of due terms alone)", median(idle));
}

fn main() {
    // `cargo bench` passes --bench; this harness takes no options.
    tokio::runtime::Runtime::new().expect("runtime").block_on(run());
}
