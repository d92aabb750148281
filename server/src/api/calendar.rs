//! The renewal calendar, calendar feeds and organisation settings.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use seatwise_types::{
    Calendar, CalendarDayQuery, CalendarEvent, CalendarFeed, CalendarQuery, ErrorResponse, FeedQuery, OrgSettings, Page,
};

use super::extract::{ApiJson, ApiQuery};
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::calendar;
use crate::service::org;
use crate::state::AppState;

/// End and cancel-by dates in a date range (at most 400 days), aggregated per day: how many of each kind, and the
/// first `per_day` (3) of them; with the value renewing in the next 30/60/90 days.
#[utoipa::path(get, path = "/calendar", tag = "renewals", params(CalendarQuery),
    responses((status = 200, body = Calendar),
        (status = 400, body = ErrorResponse, description = "Malformed query string"),
        (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse, description = "The caller may read no contracts"),
        (status = 422, body = ErrorResponse, description = "A date out of bounds, `to` before `from`, or a range over 400 days")))]
pub async fn get_calendar(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<CalendarQuery>,
) -> AppResult<Json<Calendar>> {
    Ok(Json(calendar::calendar(&state.db, &*state.clock, &actor, &params).await?))
}

/// Every end and cancel-by date of one day, paged, in the order the calendar's day lists its first few.
#[utoipa::path(get, path = "/calendar/events", tag = "renewals", params(CalendarDayQuery),
    responses((status = 200, body = Page<CalendarEvent>),
        (status = 400, body = ErrorResponse, description = "Malformed query string"),
        (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse, description = "The caller may read no contracts"),
        (status = 422, body = ErrorResponse, description = "No `date`, a date out of bounds, or a bad page")))]
pub async fn calendar_day(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<CalendarDayQuery>,
) -> AppResult<Json<Page<CalendarEvent>>> {
    Ok(Json(calendar::day(&state.db, &*state.clock, &actor, &params).await?))
}

/// Whether you have a calendar feed address.
#[utoipa::path(get, path = "/calendar/feed", tag = "renewals",
    responses((status = 200, body = CalendarFeed), (status = 401, body = ErrorResponse)))]
pub async fn feed_status(State(state): State<AppState>, actor: Actor) -> AppResult<Json<CalendarFeed>> {
    Ok(Json(calendar::feed_status(&state.db, &actor).await?))
}

/// Create or replace your calendar feed address (shown once; the previous one stops working).
#[utoipa::path(post, path = "/calendar/feed", tag = "renewals",
    responses((status = 201, body = CalendarFeed), (status = 401, body = ErrorResponse)))]
pub async fn create_feed(State(state): State<AppState>, actor: Actor) -> AppResult<(StatusCode, Json<CalendarFeed>)> {
    Ok((
        StatusCode::CREATED,
        Json(calendar::create_feed(&state.db, &*state.clock, &state.settings.public_url, &actor).await?),
    ))
}

/// Revoke your calendar feed address.
#[utoipa::path(delete, path = "/calendar/feed", tag = "renewals",
    responses((status = 204), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn revoke_feed(State(state): State<AppState>, actor: Actor) -> AppResult<StatusCode> {
    calendar::revoke_feed(&state.db, &*state.clock, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The iCalendar feed (RFC 5545) of what you own or watch. Authenticated by the secret in the address, so
/// calendar apps can subscribe.
#[utoipa::path(get, path = "/calendar/feed.ics", tag = "renewals", params(FeedQuery), security(()),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorResponse)))]
pub async fn feed_ics(State(state): State<AppState>, ApiQuery(p): ApiQuery<FeedQuery>) -> AppResult<impl IntoResponse> {
    let body = calendar::render_feed(&state.db, &*state.clock, &state.settings.public_url, &p.token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"seatwise-renewals.ics\""),
        ],
        body,
    ))
}

/// Organisation settings: time zone, alert stages, rolling review cadence, daily run hour; `version` is the `ETag`.
#[utoipa::path(get, path = "/settings", tag = "renewals",
    responses((status = 200, body = OrgSettings, headers(("ETag" = String, description = "The settings' version, e.g. \"3\""))),
        (status = 401, body = ErrorResponse)))]
pub async fn get_settings(State(state): State<AppState>, actor: Actor) -> AppResult<Tagged<OrgSettings>> {
    let settings = org::get(&state.db, &actor).await?;
    Ok(Tagged(settings.version, settings))
}

/// Change organisation settings (admins). Send the version you loaded as `If-Match`: a stale version answers 409
/// and changes nothing (the body's `version` is ignored).
#[utoipa::path(put, path = "/settings", tag = "renewals", request_body = OrgSettings,
    params(("If-Match" = Option<String>, Header, description = "The version last read (ETag), e.g. \"3\"; without it the write is unconditional.")),
    responses((status = 200, body = OrgSettings, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The settings are at another version than If-Match"),
        (status = 422, body = ErrorResponse)))]
pub async fn update_settings(
    State(state): State<AppState>,
    actor: Actor,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<OrgSettings>,
) -> AppResult<Tagged<OrgSettings>> {
    let settings = org::update(&state.db, &*state.clock, &actor, &body, expected).await?;
    Ok(Tagged(settings.version, settings))
}
