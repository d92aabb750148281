//! A list page's state in the address: filters, sort and page under the API's own parameter names, so the page's
//! query is the API's query and a filtered view can be bookmarked and shared; and the table every list page shows
//! a page of it in (`ListTable`: its count, the table and the pager).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use seatwise_types::Page;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, ApiResult};
use crate::format;

/// Changes to some of a list's parameters; an empty value removes the parameter.
pub type Changes = Vec<(&'static str, String)>;

/// The URL state of one list page. `update` changes parameters; any change but paging goes back to page 1.
#[derive(Clone, Copy)]
pub struct ListQuery {
    keys: &'static [&'static str],
    query: Memo<ParamsMap>,
    pub update: Callback<Changes>,
}

/// The list state of the page at `base`, kept in the parameters `keys`.
pub fn use_list_query(base: impl Into<String>, keys: &'static [&'static str]) -> ListQuery {
    let base: String = base.into();
    let query = use_query_map();
    let navigate = use_navigate();
    let update = Callback::new(move |changes: Changes| {
        let resets_page = !changes.iter().any(|(k, _)| *k == "page");
        let pairs: Vec<(&str, String)> = keys
            .iter()
            .map(|k| {
                let v = changes
                    .iter()
                    .find(|(c, _)| c == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| query.with_untracked(|q| q.get(k)).unwrap_or_default());
                let v = if *k == "page" && (resets_page || v == "1") { String::new() } else { v };
                (*k, v)
            })
            .collect();
        navigate(&href(&base, &pairs), NavigateOptions { scroll: false, ..Default::default() });
    });
    ListQuery { keys, query, update }
}

impl ListQuery {
    /// One parameter's value, empty when unset (tracked).
    pub fn param(&self, key: &str) -> String {
        self.query.with(|q| q.get(key)).unwrap_or_default()
    }

    /// Whether any filter is set (sort and page are not filters).
    pub fn filtered(&self) -> bool {
        self.keys.iter().any(|k| *k != "sort" && *k != "page" && !self.param(k).is_empty())
    }

    /// Clear every filter and the page, keeping the sort.
    pub fn clear_filters(&self) {
        self.update.run(self.keys.iter().filter(|k| **k != "sort").map(|k| (*k, String::new())).collect());
    }

    /// The address's parameters as the API's typed query (tracked). A value the API type cannot hold (a hand-edited
    /// address, say) is answered like the server would answer it.
    pub fn api_query<Q: DeserializeOwned>(&self) -> ApiResult<Q> {
        let pairs: Vec<(&str, String)> = self.keys.iter().map(|k| (*k, self.param(k))).collect();
        let encoded = serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>())
            .map_err(|e| ApiError::failure("query", e.to_string()))?;
        serde_urlencoded::from_str(&encoded).map_err(|e| {
            ApiError::failure("bad_request", format!("This address has a filter the list cannot use: {e}"))
                .with_status(400)
        })
    }
}

/// A page address `base?a=1&b=x` from pairs, leaving out empty values.
pub fn href(base: &str, pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
        .collect();
    if parts.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

/// How a list's count reads above its table.
#[derive(Clone, Copy)]
pub enum Count {
    /// "12 requests".
    Total { one: &'static str, many: &'static str },
    /// "Showing 51–100 of 1,234 people".
    Range { noun: &'static str },
}

impl Count {
    fn text<T>(self, page: &Page<T>) -> String {
        match self {
            Count::Total { one, many } => {
                format!("{} {}", format::number(page.total), if page.total == 1 { one } else { many })
            }
            Count::Range { noun } => {
                let (first, last) = page.shown();
                format!(
                    "Showing {}–{} of {} {noun}",
                    format::number(first),
                    format::number(last),
                    format::number(page.total)
                )
            }
        }
    }
}

/// One page of a list as every list page shows it: how many there are, the table (scrolling in its own box, with
/// its header row and a row per item) and the pager below it.
#[component]
pub fn ListTable<T, F, V>(
    page: Page<T>,
    /// The table's id.
    #[prop(optional)]
    id: Option<&'static str>,
    count: Count,
    /// The header row's cells.
    #[prop(into)]
    head: ViewFn,
    /// An item's row.
    row: F,
    update: Callback<Changes>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
    F: Fn(T) -> V + 'static,
    V: IntoView + 'static,
{
    let pages = page.page_count();
    let counted = count.text(&page);
    let current = page.page;
    view! {
        <p class="row-count" aria-live="polite">{counted}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table" id=id>
                <thead><tr>{head.run()}</tr></thead>
                <tbody>{page.items.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <Pager current=current pages=pages update=update/>
    }
}

/// Previous / next paging for a list whose page lives in the URL; `pages` is `Page::page_count`.
#[component]
pub fn Pager(current: i64, pages: i64, update: Callback<Changes>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            <button class="btn" type="button" disabled={current <= 1} on:click=move |_| update.run(vec![("page", (current - 1).to_string())])>"← Previous"</button>
            <span>{format!("Page {current} of {pages}")}</span>
            <button class="btn" type="button" disabled={current >= pages} on:click=move |_| update.run(vec![("page", (current + 1).to_string())])>"Next →"</button>
        </nav>
    }
}
