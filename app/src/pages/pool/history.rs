//! A pool's history: what changed, by whom and why, from the ledger.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{HistoryGroup, HistoryLink, HistorySource, LedgerEntry, Page};

use crate::api;
use crate::components::Loaded;
use crate::format;

/// Field names whose values differ between the ledger entry's before and after.
pub(super) fn changed_fields(e: &LedgerEntry) -> Vec<(String, String, String)> {
    let (Some(serde_json::Value::Object(before)), Some(serde_json::Value::Object(after))) = (&e.before, &e.after)
    else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v) && k.as_str() != "updated_at")
        .map(|(k, v)| (k.clone(), short(before.get(k)), short(Some(v))))
        .collect()
}

pub(super) fn short(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Object(o)) if o.contains_key("amount_minor") => {
            let m: Option<seatwise_types::Money> = serde_json::from_value(serde_json::Value::Object(o.clone())).ok();
            m.map(|m| format::money(&m)).unwrap_or_default()
        }
        Some(serde_json::Value::Object(o)) if o.contains_key("name") => {
            o["name"].as_str().unwrap_or_default().to_string()
        }
        Some(other) => other.to_string(),
    }
}

pub(super) fn describe(e: &LedgerEntry) -> String {
    let holder = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v.get("person").and_then(|p| p.get("name")).or_else(|| v.get("device")))
            .and_then(|n| n.as_str())
            .unwrap_or("someone")
            .to_string()
    };
    match e.action.as_str() {
        "pool.create" => "Created the pool".into(),
        "pool.update" => "Edited the pool".into(),
        "pool.seat_assign" => format!("Assigned a seat to {}", holder(&e.after)),
        "pool.seat_unassign" => format!("Took back the seat of {}", holder(&e.before)),
        "pool.seat_reassign" => format!("Reassigned the seat of {} to {}", holder(&e.before), holder(&e.after)),
        "person.status" => format!(
            "Changed status from {} to {}",
            e.before.as_ref().and_then(|v| v["status"].as_str()).unwrap_or("?"),
            e.after.as_ref().and_then(|v| v["status"].as_str()).unwrap_or("?")
        ),
        "pool.seat_reclaim_mark" => format!("Marked the seat of {} for reclamation", holder(&e.after)),
        other => other.to_string(),
    }
}

/// Where a history group's cause is seen in the console.
pub(super) fn cause_href(link: &HistoryLink) -> String {
    match link.kind {
        HistorySource::ChangeRequest => format!("/changes/{}", link.id),
        HistorySource::ReclamationPolicy => format!("/reclamation/policies/{}", link.id),
        HistorySource::ReclamationCase => "/reclamation/cases".into(),
        HistorySource::Import => "/imports/history".into(),
    }
}

/// A pool's history in words: who did what and why, grouped by what made it, with a link to it.
#[component]
pub(super) fn ActivityPanel(history: LocalResource<api::ApiResult<Page<HistoryGroup>>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Loaded resource=history let:page>
                {if page.items.is_empty() {
                    view! { <p class="muted">"No changes recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="timeline">
                            {page.items.into_iter().map(|g| view! { <ActivityGroup group=g/> }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
pub(super) fn ActivityGroup(group: HistoryGroup) -> impl IntoView {
    let iso = group.at.to_rfc3339();
    let many = group.lines.len() > 1;
    let first = group.lines.first().map(|l| l.seq).unwrap_or_default();
    let last = group.lines.last().map(|l| l.seq).unwrap_or_default();
    let entries = if first == last { format!(" · entry #{first}") } else { format!(" · entries #{last}–#{first}") };
    let lines = group.lines;
    view! {
        <li>
            <div class="timeline-head">
                <strong>{group.title}</strong>
                {group.link.map(|l| view! { <span>" · "<A href=cause_href(&l)>{l.label}</A></span> })}
                <span class="muted">{format!(" by {} · ", group.actor)}</span>
                <time datetime=iso.clone() title=iso class="muted">{format::datetime(&group.at)}</time>
                <span class="muted small">{entries}</span>
            </div>
            {group.why.map(|w| view! { <p class="muted small history-why">{format!("Why: {w}")}</p> })}
            {many.then(|| {
                let count = lines.len();
                view! {
                    <details class="history-lines" open=count <= 5>
                        <summary>{format!("What changed ({count})")}</summary>
                        <ul class="changes">
                            {lines.into_iter().map(|l| view! { <li>{l.text}</li> }).collect_view()}
                        </ul>
                    </details>
                }
            })}
        </li>
    }
}

/// A record's history panel, loading from the ledger.
#[component]
pub fn HistoryPanel(history: LocalResource<api::ApiResult<Page<LedgerEntry>>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Loaded resource=history let:page>
                <History entries=page.items/>
            </Loaded>
        </section>
    }
}

#[component]
pub fn History(entries: Vec<LedgerEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"No changes recorded yet."</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {entries.into_iter().map(|e| {
                let changes = changed_fields(&e);
                let iso = e.at.to_rfc3339();
                view! {
                    <li>
                        <div class="timeline-head">
                            <strong>{describe(&e)}</strong>
                            <span class="muted">{format!(" by {} · ", e.actor)}</span>
                            <time datetime=iso.clone() title=iso class="muted">{format::datetime(&e.at)}</time>
                            <span class="muted small">{format!(" · entry #{}", e.seq)}</span>
                        </div>
                        {(!changes.is_empty()).then(|| view! {
                            <ul class="changes">
                                {changes.into_iter().map(|(k, from, to)| view! {
                                    <li><code>{k}</code>": " <del>{from}</del>" → " <ins>{to}</ins></li>
                                }).collect_view()}
                            </ul>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
