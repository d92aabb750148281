//! The alerts inbox and one alert: acknowledge, snooze, assign, and the renewal decision with usage at hand.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{AlertDetail, AlertQuery, AlertStatus, AssignInput, SnoozeInput};

use crate::api;
use crate::components::fields::{SelectField, TextField};
use crate::components::filters::{FilterToggle, SortHeaders};
use crate::components::list::{href, use_list_query, Pager};
use crate::components::renewal::{
    alert_label, DaysBadge, DecisionForm, DecisionOf, MissedCancelBy, TermsTable, UsageTable,
};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText, StatusBadge};
use crate::format;
use crate::pages::record_id;

const KEYS: [&str; 4] = ["inbox", "mine", "sort", "page"];
const COLUMNS: [(&str, &str, bool); 6] = [
    ("due_date", "Date", false),
    ("contract", "Contract", false),
    ("", "Alert", false),
    ("", "When", false),
    ("status", "Status", false),
    ("", "Assigned to", false),
];
const TABS: [(&str, &str); 4] = [("", "Needs action"), ("snoozed", "Snoozed"), ("decided", "Decided"), ("all", "All")];

#[component]
pub fn AlertsPage() -> impl IntoView {
    let list = use_list_query("/alerts", &KEYS);
    let (update, param) = (list.update, move |k: &str| list.param(k));
    let alerts = LocalResource::new(move || {
        let query = list.api_query::<AlertQuery>();
        async move { api::alerts::list(&AlertQuery { per_page: Some(50), ..query? }).await }
    });
    view! {
        <Shell title="Alerts">
            <div class="page-head">
                <div>
                    <h1>"Renewal alerts"</h1>
                    <p class="muted">"Contracts whose cancel-by or end date is near. Decide before the date passes."</p>
                </div>
                <A href="/renewals" attr:class="btn">"Open the calendar"</A>
            </div>
            <MissedCancelBy/>
            <nav class="tabs" aria-label="Inbox">
                {TABS.into_iter().map(|(key, label)| {
                    let href = href("/alerts", &[("inbox", key.to_string()), ("mine", param("mine"))]);
                    view! {
                        // A plain link: the router's <A> marks every tab current, as they share one path.
                        <a href=href class="tab" aria-current=move || (param("inbox") == key).then_some("page")>{label}</a>
                    }
                }).collect_view()}
                <FilterToggle id="f-mine" label="Only mine" key="mine" update=update/>
            </nav>
            <Loaded resource=alerts let:page>
                {if page.items.is_empty() {
                    view! {
                        <EmptyState title="Nothing here">"No alerts in this view. Alerts arrive 90, 60 and 30 days before a date that matters."</EmptyState>
                    }.into_any()
                } else {
                    let pages = page.page_count();
                    view! {
                        <p class="muted" role="status">{format!("{} alert{}", format::number(page.total), if page.total == 1 { "" } else { "s" })}</p>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="alerts">
                                <thead><tr><SortHeaders columns=&COLUMNS sort=param("sort") update=update minor=&["Alert", "Status", "Assigned to"]/></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|a| {
                                        let label = alert_label(&a);
                                        view! {
                                            <tr>
                                                <td><DateText date=Some(a.due_date)/></td>
                                                <td><A href=format!("/alerts/{}", a.id) attr:class="row-link">{a.contract_title.clone()}</A>
                                                    <div class="muted small">{format!("{} · {}", a.vendor, a.contract_number)}</div></td>
                                                <td class="minor">{label}</td>
                                                <td><DaysBadge days=a.days_left urgency=a.urgency missed=a.missed/></td>
                                                <td class="minor"><StatusBadge status=a.status/>
                                                    {a.snoozed_until.map(|d| view! { <div class="muted small">"until "<DateText date=Some(d)/></div> })}</td>
                                                <td class="minor">{a.assigned_to.map(|u| u.name).unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager current=page.page pages=pages update=update/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
pub fn AlertPage() -> impl IntoView {
    let params = use_params_map();
    let detail = LocalResource::new(move || {
        let id = record_id(params.with(|p| p.get("id")));
        async move { api::alerts::get(id?).await }
    });
    let title = Signal::derive(move || {
        detail.get().and_then(Result::ok).map(|d| d.alert.contract_title).unwrap_or_else(|| "Alert".into())
    });
    // Kept here: the view below is rebuilt when the alert reloads after a change.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/alerts">"Alerts"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            <Loaded resource=detail let:d not_found=|| view! {
                <EmptyState title="Alert not found">"It does not exist, or its contract is outside your departments."</EmptyState>
            }>
                <AlertView detail=d on_change=Callback::new(move |_| detail.refetch()) notice=notice/>
            </Loaded>
        </Shell>
    }
}

#[component]
fn AlertView(detail: AlertDetail, on_change: Callback<()>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let a = detail.alert.clone();
    let c = detail.contract.contract.clone();
    let alert_id = a.id;
    let open = !matches!(a.status, AlertStatus::Decided | AlertStatus::Superseded);
    let can_act = detail.can_act && open;
    let acknowledge = Action::new_local(move |_: &()| api::alerts::acknowledge(alert_id));
    let snooze = Action::new_local(move |until: &String| {
        let until = until.clone();
        async move {
            let date = until.parse().map_err(|_| api::ApiError::local("until", "Pick a date to snooze until."))?;
            api::alerts::snooze(alert_id, &SnoozeInput { until: date }).await
        }
    });
    let assign = Action::new_local(move |user: &String| {
        let user_id = user.parse::<i64>().ok();
        async move { api::alerts::assign(alert_id, &AssignInput { user_id }).await }
    });
    for (action, message) in
        [(acknowledge.value(), "Acknowledged."), (snooze.value(), "Snoozed."), (assign.value(), "Assignment saved.")]
    {
        Effect::new(move |_| {
            if let Some(Ok(_)) = action.get() {
                notice.set(Some(message.into()));
                on_change.run(());
            }
        });
    }
    // Errors about the snooze date or the assignee stand beside those fields; the rest show in the banner.
    let error = move || {
        [acknowledge.value().get(), snooze.value().get(), assign.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .filter(|e| e.fields().is_empty() || e.fields().iter().any(|f| f.path != "until" && f.path != "user_id"))
    };
    let snooze_until = RwSignal::new(String::new());
    let assignee = RwSignal::new(a.assigned_to.as_ref().map(|u| u.id.to_string()).unwrap_or_default());
    let assignees: Vec<(String, String)> =
        detail.assignees.iter().map(|u| (u.id.to_string(), u.name.clone())).collect();
    let snooze_error = Signal::derive(move || snooze.value().get().and_then(Result::err));
    let assign_error = Signal::derive(move || assign.value().get().and_then(Result::err));
    let decided = Callback::new(move |_| {
        notice.set(Some("Decision recorded.".into()));
        on_change.run(());
    });
    let headline = match a.kind {
        _ if a.missed => "Cancel-by missed",
        seatwise_types::DateKind::CancelBy => "Cancel by",
        seatwise_types::DateKind::End => "Ends",
        seatwise_types::DateKind::Review => "Review due",
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{format!("{headline} {}: {}", format::date(&a.due_date), c.title)}</h1>
                <p class="muted">{format!("{} · contract {}", c.vendor.name, c.number)}
                    " " <DaysBadge days=a.days_left urgency=a.urgency missed=a.missed/> " " <StatusBadge status=a.status/></p>
            </div>
            <A href=format!("/contracts/{}", c.id) attr:class="btn">"Open the contract"</A>
        </div>
        {(a.missed && open).then(|| {
            let value = c.value.clone();
            view! {
                <div class="banner banner-error missed">
                    <strong>{format!("The cancel-by date passed {} with no decision. ", crate::components::renewal::days_text(a.days_left))}</strong>
                    {format!("This contract renews itself on {}", format::date(&seatwise_types::renews_on(a.end_date)))}
                    {value.map(|v| view! { " for "<MoneyText money=v/> })}
                    ". " {seatwise_types::MISSED_CANCEL_BY_ADVICE}
                </div>
            }
        })}
        <div aria-live="polite">
            {move || notice.get().map(|m| view! { <div class="banner banner-ok" role="status">{m}</div> })}
            {move || error().map(|e| view! { <ErrorBanner error=e/> })}
        </div>
        <section class="cards" aria-label="Key dates">
            {a.cancel_by.map(|d| view! {
                <div class="card stat"><span class="stat-label">"Cancel by"</span><span class="stat-value"><DateText date=Some(d)/></span>
                    <span class="muted">{format!("{} days' notice", c.notice_days)}</span></div>
            })}
            <div class="card stat"><span class="stat-label">"Term ends"</span><span class="stat-value"><DateText date=Some(a.end_date)/></span>
                <span class="muted">{if c.auto_renew { "then renews automatically" } else { "explicit renewal" }}</span></div>
            <div class="card stat"><span class="stat-label">"Value per term"</span><span class="stat-value">
                {c.value.clone().map(|m| view! { <MoneyText money=m/> }.into_any()).unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}</span></div>
            <div class="card stat"><span class="stat-label">"Alert"</span><span class="stat-value small-value">{alert_label(&a)}</span>
                <span class="muted">{format!("raised {}", format::date(&a.fired_on))}</span></div>
        </section>
        <Show when=move || can_act>
            <section class="panel actions-panel" aria-label="Handle the alert">
                <button class="btn" type="button" disabled=move || acknowledge.pending().get() || a.status == AlertStatus::Acknowledged
                    on:click=move |_| { acknowledge.dispatch(()); }>"Acknowledge"</button>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); snooze.dispatch(snooze_until.get_untracked()); }>
                    <TextField id="snooze-until" label="Snooze until" value=snooze_until error=snooze_error path="until" kind="date"
                        max=a.due_date.to_string() inline=true/>
                    <button class="btn" type="submit" disabled=move || snooze.pending().get()>"Snooze"</button>
                </form>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); assign.dispatch(assignee.get_untracked()); }>
                    <SelectField id="assignee" label="Assign to" value=assignee options=assignees.clone() error=assign_error path="user_id"
                        placeholder="Nobody" inline=true/>
                    <button class="btn" type="submit" disabled=move || assign.pending().get()>"Assign"</button>
                </form>
            </section>
        </Show>
        <section class="panel" aria-labelledby="usage-h">
            <h2 id="usage-h">"Usage of the covered licenses"</h2>
            {(c.hidden_pools > 0).then(|| view! {
                <p class="banner banner-info" role="note">"Part of this contract covers pools outside your departments. They are left out here, and the value shown is that of the pools you can see."</p>
            })}
            <UsageTable pools=detail.contract.pools.clone()/>
        </section>
        {match (can_act, a.decision) {
            (true, _) => view! {
                <section class="panel" aria-label="Record the decision">
                    <DecisionForm of=DecisionOf::Alert(alert_id) currency=c.renewal_price.as_ref().or(c.value.as_ref()).map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into())
                        auto_renew=c.auto_renew pools=detail.contract.pools.clone() on_done=decided/>
                </section>
            }.into_any(),
            (false, Some(d)) => view! {
                <section class="panel" aria-labelledby="decided-h">
                    <h2 id="decided-h">"Decision"</h2>
                    <p><span class="badge badge-ok" id="decision-made">{d.label()}</span>" "
                        {a.decided_by.clone().unwrap_or_default()}</p>
                    {a.decision_comment.clone().filter(|c| !c.is_empty()).map(|c| view! { <p class="pre">{c}</p> })}
                </section>
            }.into_any(),
            (false, None) => view! { <p class="muted">"You can read this alert; the contract's owners decide."</p> }.into_any(),
        }}
        <section class="panel" aria-labelledby="terms-h">
            <h2 id="terms-h">"Renewal history"</h2>
            <TermsTable terms=detail.contract.terms.clone()/>
        </section>
    }
}
