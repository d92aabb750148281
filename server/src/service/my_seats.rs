//! My seats: the licenses the signed-in person holds, when they last used each, and what each costs. Every user
//! whose login is a person of the directory sees their own, whatever their roles.

use std::collections::HashMap;

use seatwise_types::MySeat;

use crate::auth::Actor;
use crate::db::reclamation::usage;
use crate::db::{pools as pool_store, Db};
use crate::domain::access;
use crate::error::AppResult;
use crate::service::people::person_seat;

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<MySeat>> {
    let person_id = access::may_see_own_seats(&actor.user)?;
    // Every pool: one's own seats are one's own, wherever the pool sits.
    let held = pool_store::seats_of_person(&db.read, person_id, &None).await?;
    let keys: Vec<(i64, i64)> = held.iter().map(|s| (s.pool.id, person_id)).collect();
    let mut conn = db.read.acquire().await?;
    let used: HashMap<i64, seatwise_types::SeatSignIn> =
        usage::sign_ins(&mut conn, &keys).await?.into_iter().map(|s| (s.pool_id, s)).collect();
    Ok(held
        .into_iter()
        .map(|s| {
            let seen = used.get(&s.pool.id);
            MySeat {
                last_used_at: seen.and_then(|u| u.last_used_at),
                usage_source: seen.map(|u| u.source.clone()),
                seat: person_seat(s),
            }
        })
        .collect())
}
