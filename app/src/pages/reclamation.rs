//! Reclamation: the policies that find unused seats (with a way to write one), the cases they opened, the holds
//! that defer revocation, and the savings log, behind one set of tabs.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Policy, ReclaimAction};

use crate::api;
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded};
use crate::format;
use crate::session::use_session;

/// The tabs every reclamation page shows; `current` is the one this page is.
#[component]
pub fn ReclamationTabs(current: &'static str) -> impl IntoView {
    // Seat tasks are for those who run pools; readers of reclamation are not offered a page they may not open.
    let acts = use_session().can().manage_reclamation;
    let tabs = [
        Some(("/reclamation", "Policies")),
        Some(("/reclamation/cases", "Cases")),
        Some(("/reclamation/campaigns", "Campaigns")),
        acts.then_some(("/reclamation/tasks", "Tasks")),
        Some(("/reclamation/holds", "Holds")),
        Some(("/savings", "Savings")),
    ];
    view! {
        <nav class="tabs" aria-label="Reclamation">
            {tabs.into_iter().flatten().map(|(href, label)| view! {
                <A href=href exact=true attr:class="tab" attr:aria-current=(href == current).then_some("page")>{label}</A>
            }).collect_view()}
        </nav>
    }
}

pub fn action_label(a: ReclaimAction) -> &'static str {
    match a {
        ReclaimAction::Reclaim => "Reclaim the seat",
        ReclaimAction::Downgrade => "Downgrade",
        ReclaimAction::Notify => "Tell the owner",
    }
}

/// What a policy selects on, in words.
pub fn conditions_text(p: &Policy) -> String {
    let c = &p.conditions;
    let mut parts = Vec::new();
    if let Some(d) = c.inactive_days {
        parts.push(format!("no sign-in for {d} days"));
    }
    if c.never_used {
        parts.push(if c.grace_days > 0 {
            format!("never signed in (new accounts keep it {} days)", c.grace_days)
        } else {
            "never signed in".into()
        });
    }
    for s in &c.statuses {
        parts.push(format!("holder {}", s.as_str().replace('_', " ")));
    }
    format::sentence_case(&parts.join(", or "))
}

#[component]
pub fn ReclamationPage() -> impl IntoView {
    let session = use_session();
    let policies = LocalResource::new(api::reclamation::policies);
    let can_manage = move || session.can().manage_reclamation;
    view! {
        <Shell title="Reclamation">
            <div class="page-head">
                <div>
                    <h1>"Reclamation"</h1>
                    <p class="muted">"Policies find seats nobody uses. Try one with a dry run before you enable it: nothing changes until it runs."</p>
                </div>
                <Show when=can_manage>
                    <div class="button-row"><A href="/reclamation/policies/new" attr:class="btn btn-primary">"New policy"</A></div>
                </Show>
            </div>
            <ReclamationTabs current="/reclamation"/>
            <Loaded resource=policies let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No policies yet">"Write a policy for a pool: for example, downgrade E3 to Exchange Online after 60 days without a sign-in."</EmptyState> }.into_any()
                } else {
                    view! {
                        <p class="row-count">{format!("{} polic{}", page.total, if page.total == 1 { "y" } else { "ies" })}</p>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="policies">
                                <thead><tr>
                                    <th scope="col">"Policy"</th><th scope="col">"Watches"</th><th scope="col">"Selects"</th>
                                    <th scope="col">"Does"</th><th scope="col">"State"</th><th scope="col">"Last run"</th>
                                </tr></thead>
                                <tbody>{page.items.into_iter().map(|p| {
                                    let does = match (&p.target_pool_name, p.action) {
                                        (Some(t), ReclaimAction::Downgrade) => format!("Downgrade to {t}"),
                                        _ => action_label(p.action).to_string(),
                                    };
                                    let selects = conditions_text(&p);
                                    let name = p.name.clone();
                                    let extra = [p.needs_approval.then_some("needs approval"), p.ask_consent.then_some("asks first")]
                                        .into_iter().flatten().collect::<Vec<_>>().join(", ");
                                    view! {
                                        <tr>
                                            <td><A href=format!("/reclamation/policies/{}", p.id) attr:class="row-link">{name}</A>
                                                <div class="muted small">{format!("Version {}", p.version)}</div></td>
                                            <td>{p.scope_name.clone()}</td>
                                            <td>{selects}</td>
                                            <td>{does}{(!extra.is_empty()).then(|| view! { <div class="muted small">{extra.clone()}</div> })}</td>
                                            <td>{if p.enabled { view! { <span class="badge badge-ok">"Enabled"</span> } } else { view! { <span class="badge badge-muted">"Dry run only"</span> } }}</td>
                                            <td>{p.last_run_at.map(|t| format::datetime(&t)).unwrap_or_else(|| "never".into())}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}
