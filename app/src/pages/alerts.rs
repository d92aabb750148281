//! The alerts inbox and one alert: acknowledge, snooze, assign, and the renewal decision with usage at hand.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use seatwise_types::{Alert, AlertDetail, AlertStatus, AssignInput, Page, SnoozeInput};

use crate::api;
use crate::components::filters::{url_updater, FilterToggle, Pager, SortHeaders};
use crate::components::renewal::{alert_label, DaysBadge, DecisionForm, TermsTable, UsageTable};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loading, MoneyText};
use crate::format;

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

fn status_badge(s: AlertStatus) -> impl IntoView {
    let class = match s {
        AlertStatus::Open => "badge badge-warn",
        AlertStatus::Acknowledged => "badge badge-info",
        AlertStatus::Snoozed | AlertStatus::Superseded => "badge badge-muted",
        AlertStatus::Decided => "badge badge-ok",
    };
    view! { <span class=class>{s.label()}</span> }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    let update = url_updater("/alerts", &KEYS);
    let alerts = LocalResource::new(move || {
        let mut pairs: Vec<(&str, String)> = KEYS.iter().map(|k| (*k, param(k))).collect();
        pairs.push(("per_page", "50".into()));
        let qs = api::query(&pairs);
        async move { api::get::<Page<Alert>>(&format!("/api/v1/alerts{qs}")).await }
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
            <nav class="tabs" aria-label="Inbox">
                {TABS.into_iter().map(|(key, label)| {
                    let href = format!("/alerts{}", api::query(&[("inbox", key.to_string()), ("mine", param("mine"))]));
                    view! {
                        // A plain link: the router's <A> marks every tab current, as they share one path.
                        <a href=href class="tab" aria-current=move || (param("inbox") == key).then_some("page")>{label}</a>
                    }
                }).collect_view()}
                <FilterToggle id="f-mine" label="Only mine" key="mine" update=update/>
            </nav>
            {move || match alerts.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <EmptyState title="Nothing here">"No alerts in this view. Alerts arrive 90, 60 and 30 days before a date that matters."</EmptyState>
                }.into_any(),
                Some(Ok(page)) => {
                    let pages = (page.total + page.per_page - 1) / page.per_page;
                    view! {
                        <p class="muted" role="status">{format!("{} alert{}", format::number(page.total), if page.total == 1 { "" } else { "s" })}</p>
                        <div class="table-wrap">
                            <table class="table" id="alerts">
                                <thead><tr><SortHeaders columns=&COLUMNS sort=param("sort") update=update/></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|a| {
                                        let label = alert_label(&a);
                                        view! {
                                            <tr>
                                                <td><DateText date=Some(a.due_date)/></td>
                                                <td><A href=format!("/alerts/{}", a.id) attr:class="row-link">{a.contract_title.clone()}</A>
                                                    <div class="muted small">{format!("{} · {}", a.vendor, a.contract_number)}</div></td>
                                                <td>{label}</td>
                                                <td><DaysBadge days=a.days_left urgency=a.urgency/></td>
                                                <td>{status_badge(a.status)}
                                                    {a.snoozed_until.map(|d| view! { <div class="muted small">"until "<DateText date=Some(d)/></div> })}</td>
                                                <td>{a.assigned_to.map(|u| u.name).unwrap_or_else(|| "—".into())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager current=page.page pages=pages update=update/>
                    }.into_any()
                }
            }}
        </Shell>
    }
}

#[component]
pub fn AlertPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let detail = LocalResource::new(move || {
        let id = id();
        async move { api::get::<AlertDetail>(&format!("/api/v1/alerts/{id}")).await }
    });
    let title = Signal::derive(move || {
        detail.get().and_then(Result::ok).map(|d| d.alert.contract_title).unwrap_or_else(|| "Alert".into())
    });
    // Kept here: the view below is rebuilt when the alert reloads after a change.
    let notice = RwSignal::new(None::<String>);
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/alerts">"Alerts"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            {move || match detail.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) if e.status == 404 => view! {
                    <EmptyState title="Alert not found">"It does not exist, or its contract is outside your departments."</EmptyState>
                }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(d)) => view! { <AlertView detail=d on_change=Callback::new(move |_| detail.refetch()) notice=notice/> }.into_any(),
            }}
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
    let acknowledge = Action::new_local(move |_: &()| async move {
        api::post_empty::<Alert>(&format!("/api/v1/alerts/{alert_id}/acknowledge")).await
    });
    let snooze = Action::new_local(move |until: &String| {
        let until = until.clone();
        async move {
            let date = until.parse().map_err(|_| api::ApiError::local("until", "Pick a date to snooze until."))?;
            api::post::<_, Alert>(&format!("/api/v1/alerts/{alert_id}/snooze"), &SnoozeInput { until: date }).await
        }
    });
    let assign = Action::new_local(move |user: &String| {
        let user_id = user.parse::<i64>().ok();
        async move { api::post::<_, Alert>(&format!("/api/v1/alerts/{alert_id}/assign"), &AssignInput { user_id }).await }
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
    let error = move || {
        [acknowledge.value().get(), snooze.value().get(), assign.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    };
    let snooze_until = RwSignal::new(String::new());
    let assignee = RwSignal::new(a.assigned_to.as_ref().map(|u| u.id.to_string()).unwrap_or_default());
    let decided = Callback::new(move |_| {
        notice.set(Some("Decision recorded.".into()));
        on_change.run(());
    });
    let headline = match a.kind {
        seatwise_types::DateKind::CancelBy => "Cancel by",
        seatwise_types::DateKind::End => "Ends",
        seatwise_types::DateKind::Review => "Review due",
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{format!("{headline} {}: {}", format::date(&a.due_date), c.title)}</h1>
                <p class="muted">{format!("{} · contract {}", c.vendor.name, c.number)}
                    " " <DaysBadge days=a.days_left urgency=a.urgency/> " " {status_badge(a.status)}</p>
            </div>
            <A href=format!("/contracts/{}", c.id) attr:class="btn">"Open the contract"</A>
        </div>
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
                    <label for="snooze-until">"Snooze until"</label>
                    <input id="snooze-until" type="date" max=a.due_date.to_string() prop:value=move || snooze_until.get()
                        on:input=move |ev| snooze_until.set(event_target_value(&ev))/>
                    <button class="btn" type="submit" disabled=move || snooze.pending().get()>"Snooze"</button>
                </form>
                <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); assign.dispatch(assignee.get_untracked()); }>
                    <label for="assignee">"Assign to"</label>
                    <select id="assignee" on:change=move |ev| assignee.set(event_target_value(&ev))>
                        <option value="">"Nobody"</option>
                        {detail.assignees.iter().map(|u| {
                            let v = u.id.to_string();
                            let selected = assignee.get_untracked() == v;
                            view! { <option value=v selected=selected>{u.name.clone()}</option> }
                        }).collect_view()}
                    </select>
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
                    <DecisionForm url=format!("/api/v1/alerts/{alert_id}/decision") currency=c.renewal_price.as_ref().or(c.value.as_ref()).map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into())
                        auto_renew=c.auto_renew on_done=decided/>
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
