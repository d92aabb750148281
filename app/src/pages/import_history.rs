//! The import history: every uploaded file, newest first, with who uploaded it, when, its status and counts, and
//! links to what each applied import created or changed.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{AttemptOutcome, ImportQuery, ImportSummary, Page};

use crate::api;
use crate::components::filters::FilterSelect;
use crate::components::list::{use_list_query, Changes, Pager};
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded};
use crate::format;
use crate::pages::import_preview::{rows_named, CreatedLinks};

const KEYS: [&str; 3] = ["kind", "status", "page"];
const PER_PAGE: i64 = 50;

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "hr" => "People (HR or Snipe-IT users)",
        "snipeit" => "Snipe-IT licenses",
        "graph" => "Microsoft 365 users",
        _ => "Other",
    }
}

/// The counts that matter for the kind, as one line.
fn counts(s: &ImportSummary) -> String {
    let mut parts = vec![format!("{} rows", format::number(s.rows))];
    match s.kind.as_str() {
        "snipeit" => {
            parts.push(format!("{} pools created", s.pools_created));
            parts.push(format!("{} pools updated", s.pools_updated));
            parts.push(format!("{} seats created", s.seats_created));
        }
        "graph" => {
            parts.push(format!("{} people created", s.creates));
            parts.push(format!("{} seats created", s.seats_created));
        }
        _ => {
            parts.push(format!("{} created", s.creates));
            parts.push(format!("{} updated", s.updates));
            parts.push(format!("{} unchanged", s.unchanged));
        }
    }
    let bad = rows_named(&s.row_errors);
    if s.skipped_rows > 0 {
        parts.push(format!("{} skipped", s.skipped_rows));
    } else if bad > 0 {
        parts.push(format!("{bad} in error"));
    }
    parts.join(", ")
}

/// What the latest apply attempt of an import not yet applied says, if there was one.
fn last_attempt(s: &ImportSummary) -> Option<String> {
    if s.status == "applied" {
        return None;
    }
    let a = s.attempts.last()?;
    let when = format::datetime(&a.started_at);
    Some(match a.outcome {
        AttemptOutcome::Running => format!("Being applied since {when} by {}", a.started_by),
        AttemptOutcome::Failed => {
            format!("Apply on {when} failed: {}", a.error.as_deref().unwrap_or("no reason was recorded"))
        }
        AttemptOutcome::Interrupted => {
            format!("Apply on {when} was cut off when the server stopped; nothing of it was kept. Apply it again.")
        }
        AttemptOutcome::Applied => return None,
    })
}

#[component]
pub fn ImportHistoryPage() -> impl IntoView {
    let list = use_list_query("/imports/history", &KEYS);
    let update = list.update;
    let imports = LocalResource::new(move || {
        let query = list.api_query::<ImportQuery>();
        async move { api::imports::list(&ImportQuery { per_page: Some(PER_PAGE), ..query? }).await }
    });
    view! {
        <Shell title="Import history">
            <div class="page-head">
                <div>
                    <h1>"Import history"</h1>
                    <p class="muted">"Every file uploaded, newest first, and what each import created or changed."</p>
                </div>
                <A href="/imports" attr:class="btn btn-primary">"New import"</A>
            </div>
            <section class="filters" aria-label="Filters">
                <FilterSelect id="ih-kind" label="Kind" key="kind" update=update
                    options=vec![("hr".into(), kind_label("hr").into()), ("snipeit".into(), kind_label("snipeit").into()), ("graph".into(), kind_label("graph").into())]/>
                <FilterSelect id="ih-status" label="Status" key="status" update=update
                    options=vec![("previewed".into(), "Previewed, not applied".into()), ("applied".into(), "Applied".into())]/>
            </section>
            <Loaded resource=imports let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No imports yet">"Upload a file on the Import page: it shows here once previewed."</EmptyState> }.into_any()
                } else {
                    view! { <HistoryTable page=page update=update/> }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn HistoryTable(page: Page<ImportSummary>, update: Callback<Changes>) -> impl IntoView {
    let (first, last) = page.shown();
    let (current, pages) = (page.page, page.page_count());
    view! {
        <p class="row-count" aria-live="polite">{format!("Showing {}–{} of {} imports", format::number(first), format::number(last), format::number(page.total))}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table" id="import-history">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Kind"</th><th scope="col">"File"</th><th scope="col">"Who"</th>
                    <th scope="col">"Status"</th><th scope="col">"Counts"</th><th scope="col">"Created or changed"</th>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|s| {
                        let when = s.applied_at.or(s.created_at);
                        let iso = when.map(|t| t.to_rfc3339()).unwrap_or_default();
                        let applied = s.status == "applied";
                        let badge = if applied { "badge badge-ok" } else { "badge badge-muted" };
                        view! {
                            <tr>
                                <td><time datetime=iso.clone() title=iso>{when.as_ref().map(format::datetime).unwrap_or_default()}</time></td>
                                <td>{kind_label(&s.kind)}</td>
                                <td>{s.filename.clone()}</td>
                                <td>{s.created_by.clone()}</td>
                                <td>
                                    <span class=badge>{if applied { "Applied" } else { "Previewed" }}</span>
                                    {last_attempt(&s).map(|note| view! { <p class="cell-note">{note}</p> })}
                                </td>
                                <td>{counts(&s)}</td>
                                <td>{if applied { view! { <CreatedLinks s=s.clone()/> }.into_any() } else { view! { <span class="muted">"not applied"</span> }.into_any() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager current=current pages=pages update=update/>
    }
}
