//! What an import preview (or result) shows: the counts, which columns were read, the values not understood,
//! how costs were read, the changes to existing pools, and the rows in error.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{FieldError, ImportSummary};

use crate::format;

fn stat(label: &'static str, value: i64, class: &'static str) -> impl IntoView {
    view! { <div class="card stat"><span class="stat-label">{label}</span><span class=format!("stat-value {class}")>{format::number(value)}</span></div> }
}

fn warn_if(n: i64) -> &'static str {
    if n > 0 {
        "warn"
    } else {
        ""
    }
}

/// How many distinct rows some errors name.
pub fn rows_named(errors: &[FieldError]) -> usize {
    errors.iter().filter_map(|f| f.row).collect::<std::collections::BTreeSet<_>>().len()
}

/// The counts of what the file does (or did), by kind.
#[component]
pub fn Summary(s: ImportSummary) -> impl IntoView {
    let bad = rows_named(&s.row_errors) as i64;
    let cards = match s.kind.as_str() {
        "graph" => view! {
            {stat("Users", s.rows, "")}
            {stat("New people", s.creates, "")}
            {stat("Updated", s.updates, "")}
            {stat("Unchanged", s.unchanged, "")}
            {stat("New seats", s.seats_created, "")}
            {stat("Disabled accounts", s.terminations, warn_if(s.terminations))}
        }
        .into_any(),
        "snipeit" => view! {
            {stat("Rows", s.rows, "")}
            {stat("New pools", s.pools_created, "")}
            {stat("Updated pools", s.pools_updated, "")}
            {stat("New seats", s.seats_created, "")}
            {stat("New people", s.creates, "")}
            {stat("Seats already there", s.unchanged, "")}
            {stat("Rows with errors", bad, warn_if(bad))}
        }
        .into_any(),
        _ => view! {
            {stat("Rows", s.rows, "")}
            {stat("New people", s.creates, "")}
            {stat("Updated", s.updates, "")}
            {stat("Unchanged", s.unchanged, "")}
            {stat("Terminations", s.terminations, warn_if(s.terminations))}
            {stat("No longer listed", s.missing, warn_if(s.missing))}
            {stat("Rows with errors", bad, warn_if(bad))}
        }
        .into_any(),
    };
    let unmapped = s.unmapped_skus.join(", ");
    let new_units = (!s.new_departments.is_empty() || !s.new_cost_centres.is_empty()).then(|| {
        let list = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
        format!("New departments: {}. New cost centres: {}.", list(&s.new_departments), list(&s.new_cost_centres))
    });
    view! {
        <section class="cards" aria-label="What the file does">{cards}</section>
        {(!unmapped.is_empty()).then(|| view! { <p class="muted">{format!("Not mapped to a pool (no seats created): {unmapped}.")}</p> })}
        {new_units.map(|t| view! { <p class="muted">{t}</p> })}
        <Columns s=s.clone()/>
        <CostReading lines=s.cost_reading.clone()/>
        <PoolChanges s=s.clone()/>
        <Warnings warnings=s.warnings.clone()/>
    }
}

/// Which columns were read (and as what) and which were ignored.
#[component]
fn Columns(s: ImportSummary) -> impl IntoView {
    let read = s
        .columns
        .recognised
        .iter()
        .map(|c| if c.header == c.field { c.header.clone() } else { format!("{} → {}", c.header, c.field) })
        .collect::<Vec<_>>();
    let ignored = s.columns.ignored.clone();
    (!read.is_empty() || !ignored.is_empty()).then(move || view! {
        <section class="panel" aria-labelledby="columns-h" id="import-columns">
            <h3 id="columns-h">"Columns"</h3>
            <p><strong>"Read: "</strong>{if read.is_empty() { "none".to_string() } else { read.join(", ") }}"."</p>
            <p><strong>"Ignored (Seatwise does not keep them): "</strong>{if ignored.is_empty() { "none".to_string() } else { ignored.join(", ") }}"."</p>
        </section>
    })
}

#[component]
fn CostReading(lines: Vec<String>) -> impl IntoView {
    (!lines.is_empty()).then(move || {
        view! {
            <details class="panel" id="cost-reading">
                <summary><strong>{format!("How costs were read ({} licenses)", lines.len())}</strong></summary>
                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </details>
        }
    })
}

/// What the file changes on pools that already exist: field, before, after.
#[component]
fn PoolChanges(s: ImportSummary) -> impl IntoView {
    let applied = s.status == "applied";
    (!s.pool_changes.is_empty()).then(move || view! {
        <section class="panel" aria-labelledby="changes-h">
            <h3 id="changes-h">{format!("{} existing pools {}", s.pool_changes.len(), if applied { "were updated" } else { "will be updated" })}</h3>
            <div class="table-wrap" tabindex="0">
                <table class="table" id="pool-changes">
                    <thead><tr><th scope="col">"Pool"</th><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {s.pool_changes.into_iter().flat_map(|p| {
                            let (id, name) = (p.pool_id, p.pool.clone());
                            p.changes.into_iter().map(move |c| {
                                let name = name.clone();
                                view! {
                                    <tr>
                                        <td><A href=format!("/pools/{id}")>{name}</A></td>
                                        <td>{c.field}</td>
                                        <td>{c.before.unwrap_or_else(|| "—".into())}</td>
                                        <td>{c.after.unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }
                            })
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    })
}

/// Values that were not understood and what was done instead; they never block the import.
#[component]
fn Warnings(warnings: Vec<FieldError>) -> impl IntoView {
    (!warnings.is_empty()).then(move || view! {
        <section class="panel" aria-labelledby="warnings-h">
            <h3 id="warnings-h">{format!("{} values were not understood: the import goes ahead without them", warnings.len())}</h3>
            <ProblemTable id="import-warnings" problems=warnings/>
        </section>
    })
}

/// Row, line, column and what is wrong, one line each.
#[component]
pub fn ProblemTable(id: &'static str, problems: Vec<FieldError>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id=id>
                <thead><tr><th scope="col" class="num">"Row"</th><th scope="col" class="num">"Line"</th>
                    <th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {problems.into_iter().map(|f| view! {
                        <tr>
                            <td class="num">{f.row.map(|r| r.to_string()).unwrap_or_default()}</td>
                            <td class="num">{f.line.map(|l| l.to_string()).unwrap_or_default()}</td>
                            <td><code>{f.path}</code></td>
                            <td>{f.message}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Links to what an applied import created or changed.
#[component]
pub fn CreatedLinks(s: ImportSummary) -> impl IntoView {
    let id = s.id;
    let links = s
        .records
        .iter()
        .filter_map(|r| {
            let (path, label) = match r.record_type.as_str() {
                "person" => ("/people", if r.count == 1 { "person" } else { "people" }),
                "pool" => ("/pools", if r.count == 1 { "pool" } else { "pools" }),
                _ => return None,
            };
            Some(
                view! { <A href=format!("{path}?import_id={id}")>{format!("{} {label}", format::number(r.count))}</A> },
            )
        })
        .collect::<Vec<_>>();
    if links.is_empty() {
        return view! { <span class="muted">"nothing"</span> }.into_any();
    }
    let mut out = Vec::new();
    for (i, l) in links.into_iter().enumerate() {
        if i > 0 {
            out.push(view! { <span>", "</span> }.into_any());
        }
        out.push(l.into_any());
    }
    view! { {out} }.into_any()
}
