//! The demo's consent campaigns, made through the console's own use cases at past times: one closed (a Keep, a
//! Release, the rest reclaimed at its deadline, the kept seat now in its cooldown) and one open with answers
//! coming in. No mail is written: the demo's people have no inboxes.

use chrono::Duration;
use seatwise_types::{CampaignAsk, CampaignInput, Choice, NoAnswer, ResponseInput};

use crate::clock::{Clock, ManualClock};
use crate::db::reclamation::campaigns as store;
use crate::error::AppResult;
use crate::service::org;
use crate::service::reclamation::{campaign_upkeep, campaigns, respond};
use crate::state::AppState;

use super::changes::{actor, pool};

/// Answer a letter as its person would, at `at`.
async fn answer(
    state: &AppState,
    campaign: i64,
    nth: usize,
    choice: Choice,
    comment: &str,
    at: &ManualClock,
) -> AppResult<()> {
    let mut conn = state.db.read.acquire().await?;
    let letters = store::letters_of(&mut conn, campaign).await?;
    drop(conn);
    let Some(letter) = letters.get(nth) else { return Ok(()) };
    let token = campaigns::link_token(&state.db, at.now(), letter).await?;
    let input = ResponseInput { choice, comment: Some(comment.to_string()), case_ids: None };
    respond::answer(&state.db, at, None, &token, &input).await?;
    Ok(())
}

pub(super) async fn seed(state: &AppState) -> AppResult<()> {
    let admin = actor(state, "admin@example.com").await?;
    let now = state.clock.now();
    let org = org::load(&state.db).await?;
    let seats = |pool_id: i64| async move {
        let mut conn = state.db.read.acquire().await?;
        let ids = store::person_seats(&mut conn, pool_id).await?;
        AppResult::Ok(ids.into_iter().take(8).collect::<Vec<_>>())
    };

    // Closed: asked 24 days ago with two weeks to answer; silence reclaimed.
    let (miro, _) = pool(state, "Miro Business").await?;
    let asked = ManualClock::new(now - Duration::days(24));
    let input = CampaignInput {
        name: "Miro Business: still needed?".into(),
        policy_id: None,
        assignment_ids: Some(seats(miro).await?),
        person_ids: None,
        pool_id: None,
        deadline: org.today(asked.now()) + Duration::days(14),
        reminder_days_before: 3,
        no_answer: NoAnswer::Reclaim,
        ask: CampaignAsk::Holder,
        keep_confirmed_by: None,
        cooldown_days: 90,
    };
    let closed = campaigns::ask(&state.db, &asked, None, &admin, &input).await?;
    let day = |d: i64| ManualClock::new(asked.now() + Duration::days(d));
    answer(state, closed.id, 0, Choice::Keep, "Weekly design workshops with customers", &day(1)).await?;
    answer(state, closed.id, 1, Choice::Release, "I use FigJam now", &day(2)).await?;
    answer(state, closed.id, 2, Choice::Release, "", &day(5)).await?;
    campaign_upkeep::upkeep(&state.db, &day(16), None).await?;

    // Open: asked three days ago, eleven days left.
    let (lucid, _) = pool(state, "Lucidchart Team").await?;
    let asked = ManualClock::new(now - Duration::days(3));
    let input = CampaignInput {
        name: "Lucidchart Team: still needed?".into(),
        assignment_ids: Some(seats(lucid).await?),
        deadline: org.today(asked.now()) + Duration::days(14),
        no_answer: NoAnswer::OwnerDecides,
        ..input
    };
    let open = campaigns::ask(&state.db, &asked, None, &admin, &input).await?;
    let day = |d: i64| ManualClock::new(asked.now() + Duration::days(d));
    answer(state, open.id, 0, Choice::Release, "", &day(1)).await?;
    answer(state, open.id, 1, Choice::Keep, "Architecture diagrams for the platform team", &day(1)).await?;
    answer(state, open.id, 3, Choice::Release, "Switched to draw.io", &day(2)).await?;
    Ok(())
}
