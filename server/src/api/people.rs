//! The people directory and a person's seats, history and status.

use axum::extract::State;
use axum::Json;
use seatwise_types::{
    ErrorResponse, LedgerEntry, Page, PageQuery, PeopleQuery, Person, PersonSeat, PersonStatusUpdate,
};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::versioning::{IfMatch, Tagged};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::service::people;
use crate::state::AppState;

/// The people directory, searchable and filterable.
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = Page<Person>), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn list_people(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(params): ApiQuery<PeopleQuery>,
) -> AppResult<Json<Page<Person>>> {
    Ok(Json(people::list(&state.db, &*state.clock, &actor, &params).await?))
}

/// One person.
#[utoipa::path(get, path = "/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Person, headers(("ETag" = String, description = "The person's version, e.g. \"3\""))),
        (status = 404, body = ErrorResponse)))]
pub async fn get_person(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Tagged<Person>> {
    let person = people::get(&state.db, &actor, id).await?;
    Ok(Tagged(person.version, person))
}

/// The seats a person holds in pools you can see, with their monthly and annual cost.
#[utoipa::path(get, path = "/people/{id}/seats", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PersonSeat>), (status = 404, body = ErrorResponse)))]
pub async fn person_seats(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<PersonSeat>>> {
    Ok(Json(people::seats(&state.db, &actor, id).await?))
}

/// A person's history from the audit ledger, newest first.
#[utoipa::path(get, path = "/people/{id}/history", tag = "people", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 404, body = ErrorResponse)))]
pub async fn person_history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> AppResult<Json<Page<LedgerEntry>>> {
    Ok(Json(people::history(&state.db, &actor, id, p.page, p.per_page).await?))
}

/// Change a person's employment status (admin). Terminating marks every seat they hold for reclamation. Send the
/// person's `version` as `If-Match`: a stale version answers 409 and changes nothing.
#[utoipa::path(put, path = "/people/{id}/status", tag = "people",
    params(("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The version last read (ETag), e.g. \"3\"; without it the write is unconditional.")),
    request_body = PersonStatusUpdate,
    responses((status = 200, body = Person, headers(("ETag" = String, description = "The new version"))),
        (status = 400, body = ErrorResponse, description = "Malformed If-Match"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "The person is at another version than If-Match")))]
pub async fn set_person_status(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<PersonStatusUpdate>,
) -> AppResult<Tagged<Person>> {
    let person = people::set_status(&state.db, &*state.clock, &actor, id, body.status, expected).await?;
    Ok(Tagged(person.version, person))
}
