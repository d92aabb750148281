//! The renewal calendar and the caller's calendar feed.

use seatwise_types::{Calendar, CalendarDayQuery, CalendarEvent, CalendarFeed, CalendarQuery, Page};

use super::{with_query, ApiResult};

/// The range's days: counts by kind and each day's first few dates.
pub async fn get(query: &CalendarQuery) -> ApiResult<Calendar> {
    super::get(&with_query("/calendar", query)?).await
}

/// Every date of one day, a page at a time.
pub async fn day(query: &CalendarDayQuery) -> ApiResult<Page<CalendarEvent>> {
    super::get(&with_query("/calendar/events", query)?).await
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
