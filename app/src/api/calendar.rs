//! The renewal calendar and the caller's calendar feed.

use seatwise_types::{Calendar, CalendarFeed, CalendarQuery};

use super::{with_query, ApiResult};

pub async fn get(query: &CalendarQuery) -> ApiResult<Calendar> {
    super::get(&with_query("/calendar", query)?).await
}

/// Whether the caller has a feed address.
pub async fn feed() -> ApiResult<CalendarFeed> {
    super::get("/calendar/feed").await
}

/// A new feed address (shown once), replacing any earlier one.
pub async fn create_feed() -> ApiResult<CalendarFeed> {
    super::post_empty("/calendar/feed").await
}

pub async fn revoke_feed() -> ApiResult<()> {
    super::delete("/calendar/feed").await
}
