//! The people directory.

use seatwise_types::{
    Case, LedgerEntry, MyRequest, MySeat, Page, PageQuery, PeopleQuery, Person, PersonSeat, PersonStatusUpdate,
    RequestablePool, SeatAsk,
};

use super::{with_query, ApiResult};

pub async fn list(query: &PeopleQuery) -> ApiResult<Page<Person>> {
    super::get(&with_query("/people", query)?).await
}

pub async fn get(id: i64) -> ApiResult<Person> {
    super::get(&format!("/people/{id}")).await
}

/// The seats a person holds, with what they cost.
/// The seats the signed-in person holds.
pub async fn my_seats() -> ApiResult<Vec<MySeat>> {
    super::get("/my/seats").await
}

/// Give back a seat the signed-in person holds.
pub async fn release_seat(assignment_id: i64) -> ApiResult<Case> {
    super::post_empty(&format!("/my/seats/{assignment_id}/release")).await
}

/// The licenses one may ask for.
pub async fn my_catalog() -> ApiResult<Vec<RequestablePool>> {
    super::get("/my/catalog").await
}

/// One's asks for a license and where each stands.
pub async fn my_requests() -> ApiResult<Vec<MyRequest>> {
    super::get("/my/requests").await
}

pub async fn ask_for_seat(ask: &SeatAsk) -> ApiResult<MyRequest> {
    super::post("/my/requests", ask).await
}

pub async fn seats(id: i64) -> ApiResult<Vec<PersonSeat>> {
    super::get(&format!("/people/{id}/seats")).await
}

pub async fn history(id: i64, query: &PageQuery) -> ApiResult<Page<LedgerEntry>> {
    super::get(&with_query(&format!("/people/{id}/history"), query)?).await
}

/// Change a person's status if they are still at `version` (the one the page loaded).
pub async fn set_status(id: i64, update: &PersonStatusUpdate, version: Option<i64>) -> ApiResult<Person> {
    super::put_if(&format!("/people/{id}/status"), update, version).await
}
