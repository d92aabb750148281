//! In-process benchmarks of the inventory reads, next to the same SQL run directly through sqlx.
//!
//! Uses the database in SEATWISE_BENCH_DATABASE_URL (default `sqlite://target/bench/seatwise.db`), generating the
//! large company into it first when it is empty (100,000 people, 5,000 pools, 1,000,000 seats; override with
//! BENCH_PEOPLE / BENCH_POOLS / BENCH_ASSIGNMENTS). See BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use seatwise_server::auth::{Actor, Via};
use seatwise_server::clock::SystemClock;
use seatwise_server::db::pools::{list_sql, PoolQuery, PoolSort};
use seatwise_server::db::{DateRange, Db, Sort};
use seatwise_server::generate;
use seatwise_server::service::pools;
use seatwise_server::state::{AppState, Settings};
use seatwise_types::{Role, User};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn setup() -> (AppState, i64, i64) {
    let url = std::env::var("SEATWISE_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/../target/bench/seatwise.db", env!("CARGO_MANIFEST_DIR")));
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let state = AppState::new(db, Arc::new(SystemClock), Settings::default());
    let pools: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pools").fetch_one(&state.db.read).await.expect("count");
    if pools == 0 {
        let size = generate::Size {
            people: env_usize("BENCH_PEOPLE", 100_000),
            pools: env_usize("BENCH_POOLS", 5_000),
            assignments: env_usize("BENCH_ASSIGNMENTS", 1_000_000),
            seed: 42,
            contracts: false,
            products: 100,
            usage: false,
        };
        generate::run(&state.db, &*state.clock, &size).await.expect("generate");
    }
    let vendor: i64 =
        sqlx::query_scalar("SELECT MIN(vendor_id) FROM pools").fetch_one(&state.db.read).await.expect("vendor");
    // The largest pool: the worst case for the detail page.
    let pool: i64 = sqlx::query_scalar("SELECT id FROM pools ORDER BY seats_assigned DESC LIMIT 1")
        .fetch_one(&state.db.read)
        .await
        .expect("pool");
    (state, vendor, pool)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (state, vendor, pool_id) = rt.block_on(setup());
    let actor = Actor {
        user: User {
            id: 0,
            email: "bench@example.com".into(),
            name: "Bench".into(),
            roles: vec![Role::Finance],
            department_ids: vec![],
            person_id: None,
            version: 1,
        },
        via: Via::Token,
    };
    let cases: [(&str, seatwise_types::PoolQuery, PoolQuery); 3] = [
        ("list", Default::default(), PoolQuery { page: 1, per_page: 50, ..Default::default() }),
        (
            "filtered",
            seatwise_types::PoolQuery {
                vendor_id: Some(vendor),
                expiring_within_days: Some(365),
                ..Default::default()
            },
            PoolQuery {
                vendor_id: Some(vendor),
                ending_between: Some(DateRange {
                    from: chrono::Utc::now().date_naive(),
                    to: chrono::Utc::now().date_naive() + chrono::Days::new(365),
                }),
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        ),
        (
            "sorted",
            seatwise_types::PoolQuery { sort: Some("-utilization".into()), ..Default::default() },
            PoolQuery {
                sort: Some(Sort { key: PoolSort::Utilization, descending: true }),
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        ),
    ];
    let mut g = c.benchmark_group(format!("inventory_{:?}", state.db.backend).to_lowercase());
    for (name, params, query) in &cases {
        g.bench_function(format!("{name}/service"), |b| {
            b.to_async(&rt)
                .iter(|| async { pools::list(&state.db, &*state.clock, &actor, params).await.expect("list") })
        });
        let (count, list) = list_sql(query);
        g.bench_function(format!("{name}/raw_sql"), |b| {
            b.to_async(&rt).iter(|| async {
                let _: i64 = count.query_scalar().fetch_one(&state.db.read).await.expect("count");
                list.query().fetch_all(&state.db.read).await.expect("rows")
            })
        });
    }
    g.bench_function("detail/service", |b| {
        b.to_async(&rt).iter(|| async { pools::detail(&state.db, &actor, pool_id).await.expect("detail") })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
