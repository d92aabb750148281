use serde::{Deserialize, Serialize};

/// One page of a list: `{"items":[...],"total":1234,"page":1,"per_page":50}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// How many pages the whole list takes at this page size (at least one, so an empty list has a page).
    pub fn page_count(&self) -> i64 {
        let per_page = self.per_page.max(1);
        ((self.total + per_page - 1) / per_page).max(1)
    }

    /// The 1-based positions of the first and last item on this page.
    pub fn shown(&self) -> (i64, i64) {
        let first = (self.page - 1) * self.per_page + 1;
        (first, first + self.items.len() as i64 - 1)
    }
}

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;
