//! One contract: its dates, the pools it covers and their usage, the renewal history, alerts and decisions.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use seatwise_types::{ContractDetail, WatchInput};

use crate::api;
use crate::components::renewal::{alert_label, DaysBadge, DecisionForm, DecisionOf, TermsTable, UsageTable};
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, Loaded, MoneyText};
use crate::pages::pool::{HistoryPanel, HISTORY};
use crate::pages::record_id;

#[component]
pub fn ContractPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let detail = LocalResource::new(move || {
        let id = id();
        async move { api::contracts::get(id?).await }
    });
    let history = LocalResource::new(move || {
        let id = id();
        async move { api::contracts::history(id?, &HISTORY).await }
    });
    let title = Signal::derive(move || {
        detail.get().and_then(Result::ok).map(|d| d.contract.title).unwrap_or_else(|| "Contract".into())
    });
    // Kept here: the view below is rebuilt when the contract reloads after a decision.
    let notice = RwSignal::new(None::<String>);
    let refresh = Callback::new(move |_| {
        detail.refetch();
        history.refetch();
    });
    view! {
        <Shell title=title>
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/contracts">"Contracts"</A><span aria-hidden="true">" / "</span><span>{title}</span></nav>
            <Loaded resource=detail let:d not_found=|| view! {
                <EmptyState title="Contract not found">"It does not exist, or it covers no pool of your departments."</EmptyState>
            }>
                <ContractView detail=d on_change=refresh notice=notice/>
            </Loaded>
            <HistoryPanel history=history/>
        </Shell>
    }
}

#[component]
fn ContractView(detail: ContractDetail, on_change: Callback<()>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let c = detail.contract.clone();
    let alerts = detail.alerts.clone();
    let open_term = c.term.decision.is_none();
    let decided = Callback::new(move |_| {
        notice.set(Some("Decision recorded.".into()));
        on_change.run(());
    });
    let currency =
        c.renewal_price.as_ref().or(c.value.as_ref()).map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into());
    view! {
        <div class="page-head">
            <div>
                <h1>{c.title.clone()}</h1>
                <p class="muted">{format!("{} · contract {}", c.vendor.name, c.number)}
                    " " <span class="badge badge-muted">{c.status.label()}</span>
                    {c.rolling.then(|| view! { " " <span class="badge badge-info">"Monthly rolling"</span> })}</p>
            </div>
            <div class="button-row">
                <WatchButton contract_id=c.id watching=detail.watching on_change=on_change/>
                {detail.can_edit.then(|| view! { <A href=format!("/contracts/{}/edit", c.id) attr:class="btn btn-primary">"Edit contract"</A> })}
            </div>
        </div>
        <div aria-live="polite">{move || notice.get().map(|m| view! { <div class="banner banner-ok" role="status">{m}</div> })}</div>
        <section class="cards" aria-label="Key dates">
            <div class="card stat"><span class="stat-label">{if c.auto_renew { "Cancel by" } else { "Decide by (term end)" }}</span>
                <span class="stat-value"><DateText date=Some(c.key_date)/></span>
                <DaysBadge days=c.days_to_key_date urgency=c.urgency/></div>
            <div class="card stat"><span class="stat-label">"Current term"</span>
                <span class="stat-value small-value"><DateText date=Some(c.term.start_date)/>" – "<DateText date=Some(c.term.end_date)/></span>
                <span class="muted">{format!("{} month term · {}", c.term_months, if c.auto_renew { "renews automatically" } else { "explicit renewal" })}</span></div>
            <div class="card stat"><span class="stat-label">{if c.hidden_pools > 0 { "Value per term (your pools)" } else { "Value per term" }}</span><span class="stat-value">
                {c.value.clone().map(|m| view! { <MoneyText money=m/> }.into_any()).unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}</span></div>
            <div class="card stat"><span class="stat-label">"Open alerts"</span>
                <span class={if c.open_alerts > 0 { "stat-value warn" } else { "stat-value" }}>{c.open_alerts}</span></div>
        </section>
        <div class="grid-2">
            <section class="panel" aria-labelledby="terms-facts-h">
                <h2 id="terms-facts-h">"Terms"</h2>
                <dl class="facts">
                    <dt>"Notice period"</dt><dd>{format!("{} days", c.notice_days)}</dd>
                    <dt>"Cancel by"</dt><dd><DateText date=Some(c.cancel_by)/></dd>
                    <dt>"Renewal price"</dt><dd>{c.renewal_price.clone().map(|m| view! { <MoneyText money=m/> }.into_any()).unwrap_or_else(|| view! { "—" }.into_any())}</dd>
                    <dt>"Vendor contact"</dt><dd class="pre">{c.vendor_contact.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Documents"</dt><dd>
                        {if c.documents.is_empty() { view! { "—" }.into_any() } else {
                            view! { <ul class="plain">{c.documents.iter().map(|d| view! { <li><a href=d.clone() rel="noopener noreferrer" target="_blank">{d.clone()}</a></li> }).collect_view()}</ul> }.into_any()
                        }}</dd>
                </dl>
            </section>
            <section class="panel" aria-labelledby="people-h">
                <h2 id="people-h">"Who hears about it"</h2>
                <dl class="facts">
                    <dt>"Owners"</dt><dd>{
                        let mut owners: Vec<String> = Vec::new();
                        for name in detail.pools.iter().filter_map(|p| p.owner.as_ref().map(|o| o.name.clone())) {
                            if !owners.contains(&name) { owners.push(name); }
                        }
                        if owners.is_empty() { "—".to_string() } else { owners.join(", ") }
                    }</dd>
                    <dt>"Watchers"</dt><dd>{if detail.watchers.is_empty() { "—".to_string() } else { detail.watchers.iter().map(|w| w.name.clone()).collect::<Vec<_>>().join(", ") }}</dd>
                </dl>
            </section>
        </div>
        <section class="panel" aria-labelledby="usage-h">
            <h2 id="usage-h">"Covered licenses"</h2>
            {(c.hidden_pools > 0).then(|| view! {
                <p class="banner banner-info" role="note">"Part of this contract covers pools outside your departments. They are left out here, and the value shown is that of the pools you can see."</p>
            })}
            <UsageTable pools=detail.pools.clone()/>
        </section>
        {(!alerts.is_empty()).then(move || view! {
            <section class="panel" aria-labelledby="alerts-h">
                <h2 id="alerts-h">"Alerts"</h2>
                <ul class="plain alert-list">
                    {alerts.into_iter().map(|a| {
                        let (label, status) = (alert_label(&a), a.status.label());
                        view! {
                            <li><A href=format!("/alerts/{}", a.id)>{label}</A>" · "
                                <DateText date=Some(a.fired_on)/>" · "<span class="muted">{status}</span></li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(detail.can_edit && open_term).then(|| view! {
            <section class="panel" aria-label="Record the decision">
                <DecisionForm of=DecisionOf::Contract(c.id) currency=currency.clone() auto_renew=c.auto_renew pools=detail.pools.clone() on_done=decided/>
            </section>
        })}
        <section class="panel" aria-labelledby="terms-h">
            <h2 id="terms-h">"Renewal history"</h2>
            <TermsTable terms=detail.terms.clone()/>
        </section>
    }
}

/// Watch the contract: its alerts reach you and its dates join your calendar feed.
#[component]
fn WatchButton(contract_id: i64, watching: bool, on_change: Callback<()>) -> impl IntoView {
    let toggle = Action::new_local(move |on: &bool| {
        let body = WatchInput { watching: *on };
        async move { api::contracts::watch(contract_id, &body).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = toggle.value().get() {
            on_change.run(());
        }
    });
    view! {
        <button class="btn" type="button" aria-pressed=watching.to_string() disabled=move || toggle.pending().get()
            on:click=move |_| { toggle.dispatch(!watching); }>
            {if watching { "Stop watching" } else { "Watch" }}
        </button>
    }
}
