//! My seats: the licenses the signed-in person holds, when they last used each, and what each costs. Every user
//! whose login is a person of the directory sees their own, whatever their roles.

use std::collections::HashMap;

use seatwise_types::MySeat;

use crate::auth::Actor;
use crate::db::reclamation::usage;
use crate::db::{pools as pool_store, Db};
use crate::domain::access;
use crate::domain::reclamation::Usage;
use crate::error::AppResult;
use crate::service::people::person_seat;

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<MySeat>> {
    let person_id = access::may_see_own_seats(&actor.user)?;
    // Every pool: one's own seats are one's own, wherever the pool sits.
    let held = pool_store::seats_of_person(&db.read, person_id, &None).await?;
    // Usage as reclamation reads it: the pool's usage signals and, for pools a Microsoft 365 SKU maps to, the
    // person's Entra sign-ins, combined.
    let mut conn = db.read.acquire().await?;
    let used: HashMap<i64, Usage> = usage::seats_of(&mut conn, person_id)
        .await?
        .into_iter()
        .filter_map(|h| h.usage.map(|u| (h.pool_id, u)))
        .collect();
    Ok(held
        .into_iter()
        .map(|s| {
            let seen = used.get(&s.priced.pool.id);
            MySeat {
                last_used_at: seen.and_then(|u| u.last_used_at),
                usage_source: seen.map(|u| u.source.clone()),
                seat: person_seat(s),
            }
        })
        .collect())
}
