//! The demo's connector: Acrobat Pro has no API to push to, so a manual connector turns each seat taken back into
//! a task for a person. Three seats were taken back two days ago; the first task is done.

use chrono::Duration;
use seatwise_types::{ConnectorInput, ConnectorKind, Removal, SeatActionQuery};

use crate::clock::ManualClock;
use crate::db::reclamation::campaigns as seat_store;
use crate::error::AppResult;
use crate::service::{connectors, pools};
use crate::state::AppState;

use super::changes::{actor, pool};

pub(super) async fn seed(state: &AppState) -> AppResult<()> {
    let admin = actor(state, "admin@example.com").await?;
    let now = state.clock.now();
    let (acrobat, _) = pool(state, "Acrobat Pro").await?;
    let input = ConnectorInput {
        kind: ConnectorKind::Manual,
        name: "Acrobat Pro by hand".into(),
        base_url: None,
        credentials: None,
        pool_ids: vec![acrobat],
        removal: Removal::Deactivate,
        dry_run: false,
        targets: vec![],
        max_actions_per_minute: None,
    };
    let made = ManualClock::new(now - Duration::days(3));
    let connector = connectors::create(&state.db, &made, None, &admin, &input).await?;
    let taken = ManualClock::new(now - Duration::days(2));
    let mut conn = state.db.read.acquire().await?;
    let seats: Vec<i64> = seat_store::person_seats(&mut conn, acrobat).await?.into_iter().take(3).collect();
    drop(conn);
    for seat in seats {
        pools::unassign(&state.db, &taken, &admin, acrobat, seat).await?;
    }
    let tasks = connectors::actions::list(&state.db, &admin, connector.id, &SeatActionQuery::default()).await?;
    if let Some(first) = tasks.items.last() {
        let done = ManualClock::new(now - Duration::days(1));
        connectors::actions::done(&state.db, &done, &admin, connector.id, first.id).await?;
    }
    Ok(())
}
