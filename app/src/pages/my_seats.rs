//! My seats: the licenses the signed-in person holds, when they last used each and what each costs, with a
//! button to give one back; asking for a license; and where one's asks stand.

use leptos::prelude::*;
use seatwise_types::limits::ASK_REASON_CHARS;
use seatwise_types::{Case, CaseState, FieldError, MyRequest, MySeat, RequestablePool, SeatAsk};

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, MoneyText, StatusBadge};
use crate::format;

#[component]
pub fn MySeatsPage() -> impl IntoView {
    let seats_version = RwSignal::new(0u32);
    let asks_version = RwSignal::new(0u32);
    let seats = LocalResource::new(move || {
        seats_version.track();
        api::people::my_seats()
    });
    let asks = LocalResource::new(move || {
        asks_version.track();
        api::people::my_requests()
    });
    let notice = RwSignal::new(None::<String>);
    let give_back = Action::new_local(|(id, pool): &(i64, String)| {
        let (id, pool) = (*id, pool.clone());
        async move { api::people::release_seat(id).await.map(|case| (case, pool)) }
    });
    Effect::new(move |_| {
        if let Some(Ok((case, pool))) = give_back.value().get() {
            notice.set(Some(given_back(&case, &pool)));
            seats_version.update(|n| *n += 1);
        }
    });
    let on_give_back = Callback::new(move |seat: (i64, String)| {
        notice.set(None);
        give_back.dispatch(seat);
    });
    let pending = Signal::derive(move || give_back.pending().get());
    view! {
        <Shell title="My seats">
            <div class="page-head">
                <div>
                    <h1>"My seats"</h1>
                    <p class="muted">"The software licenses you hold, when you last used each, and what each costs the company. Give back what you no longer need; ask for what you do."</p>
                </div>
            </div>
            <div aria-live="polite">
                {move || notice.get().map(|m| view! { <p class="banner banner-ok" role="status">{m}</p> })}
                {move || give_back.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            </div>
            <Loaded resource=seats let:list>
                {if list.is_empty() {
                    view! { <EmptyState title="You hold no licenses">"Licenses given to you appear here. Ask for one below."</EmptyState> }.into_any()
                } else {
                    view! { <SeatTable seats=list give_back=on_give_back pending=pending/> }.into_any()
                }}
            </Loaded>
            <AskForLicense asks_version=asks_version/>
            <section class="panel" aria-labelledby="my-requests-title">
                <h2 id="my-requests-title">"Your requests"</h2>
                <Loaded resource=asks let:list>
                    {if list.is_empty() {
                        view! { <p class="muted">"You have not asked for a license yet."</p> }.into_any()
                    } else {
                        view! { <RequestTable asks=list/> }.into_any()
                    }}
                </Loaded>
            </section>
        </Shell>
    }
}

/// What became of a seat given back, in words.
fn given_back(case: &Case, pool: &str) -> String {
    match case.state {
        CaseState::Reclaimed => format!("You gave back your {pool} seat. It is free for someone else now."),
        _ => format!("Your {pool} seat will be freed when a hold on it ends; you keep it until then."),
    }
}

#[component]
fn SeatTable(seats: Vec<MySeat>, give_back: Callback<(i64, String)>, pending: Signal<bool>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="my-seats">
                <thead><tr><th scope="col">"License"</th><th scope="col" class="minor">"Vendor"</th><th scope="col" class="minor">"Yours since"</th>
                    <th scope="col">"Last used"</th><th scope="col" class="num">"Cost a month"</th>
                    <th scope="col" class="num"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {seats.into_iter().map(|m| {
                        let MySeat { seat: s, last_used_at, usage_source } = m;
                        let used = match (last_used_at, &usage_source) {
                            (Some(at), Some(source)) => view! { <DateText date=Some(at.date_naive())/><span class="muted small">{format!(" ({source})")}</span> }.into_any(),
                            (None, Some(source)) => view! { <span>"Never"</span><span class="muted small">{format!(" ({source})")}</span> }.into_any(),
                            _ => view! { <span class="muted">"No data"</span> }.into_any(),
                        };
                        let pool = s.pool.name.clone();
                        let question = format!(
                            "Give back your {pool} seat? It is freed at once and saves the company {} a month. \
                             If you need it again, ask for it below; an admin can restore it within 30 days.",
                            format::money(&s.monthly_cost)
                        );
                        let id = s.assignment_id;
                        let chosen = pool.clone();
                        view! {
                            <tr>
                                <td>{pool.clone()}</td>
                                <td class="minor">{s.vendor.name.clone()}</td>
                                <td class="minor"><DateText date=Some(s.assigned_at.date_naive())/></td>
                                <td>{used}</td>
                                <td class="num"><MoneyText money=s.monthly_cost.clone()/></td>
                                <td class="num actions">
                                    <ConfirmButton label="Give back".to_string() aria_label=format!("Give back {pool}")
                                        class="btn btn-small" question=question confirm="Yes, give it back".to_string()
                                        disabled=pending
                                        on_confirm=Callback::new(move |_| give_back.run((id, chosen.clone())))/>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Ask for a license: the pools on offer and why; an approver decides.
#[component]
fn AskForLicense(asks_version: RwSignal<u32>) -> impl IntoView {
    let offered = LocalResource::new(api::people::my_catalog);
    let pool = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<String>);
    let saver = Saver::new(
        move |ask: SeatAsk| async move { api::people::ask_for_seat(&ask).await },
        move |r: MyRequest| {
            sent.set(Some(format!(
                "Your request for {} is with the approvers (request #{}). You will see here when it is decided.",
                r.pool.name, r.id
            )));
            pool.set(String::new());
            reason.set(String::new());
            asks_version.update(|n| *n += 1);
        },
    );
    let error = saver.error;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent.set(None);
        let built = pool
            .get_untracked()
            .parse::<i64>()
            .map(|pool_id| SeatAsk { pool_id, reason: reason.get_untracked() })
            .map_err(|_| vec![FieldError::new("pool_id", "is required: choose the license you need")]);
        saver.submit(built);
    };
    view! {
        <section class="panel" aria-labelledby="ask-title">
            <h2 id="ask-title">"Ask for a license"</h2>
            <p class="muted">"Your request goes to the approval queue; the license's owners are told why you need it."</p>
            <Loaded resource=offered let:pools>
                {let options: Vec<(String, String)> = pools.iter().map(option).collect();
                view! {
                    <form class="form ask-form" novalidate on:submit=submit>
                        <SelectField id="pool_id" label="License" value=pool options=options error=error placeholder="Choose a license"/>
                        <TextField id="reason" label="Why you need it" value=reason error=error rows=3
                            hint=format!("What you will use it for, in at most {ASK_REASON_CHARS} characters; the approver reads this.")/>
                        <div class="form-actions">
                            <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>"Send request"</button>
                        </div>
                    </form>
                }}
            </Loaded>
            <div aria-live="polite">
                {move || sent.get().map(|m| view! { <p class="banner banner-ok" role="status">{m}</p> })}
                {move || error.get().filter(|e| e.fields().is_empty()).map(|e: ApiError| view! { <ErrorBanner error=e/> })}
            </div>
        </section>
    }
}

/// A pool on offer as the list names it: the license, its vendor and a seat's monthly cost.
fn option(p: &RequestablePool) -> (String, String) {
    (p.pool.id.to_string(), format!("{} ({}, {} a month)", p.pool.name, p.vendor.name, format::money(&p.monthly_cost)))
}

#[component]
fn RequestTable(asks: Vec<MyRequest>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="my-requests">
                <thead><tr><th scope="col">"License"</th><th scope="col" class="minor">"Asked on"</th><th scope="col">"Status"</th>
                    <th scope="col" class="minor">"Why"</th><th scope="col" class="minor">"Approver's note"</th></tr></thead>
                <tbody>
                    {asks.into_iter().map(|a| view! {
                        <tr>
                            <td>{a.pool.name}</td>
                            <td class="minor"><DateText date=Some(a.created_at.date_naive())/></td>
                            <td><StatusBadge status=a.status/></td>
                            <td class="minor">{a.reason}</td>
                            <td class="minor">{a.decision_comment.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
