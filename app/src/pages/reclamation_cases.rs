//! Reclamation cases (filter by state, restore a reclaimed seat within its window) with time to revoke per
//! month; and the holds page (legal holds on people, blackout windows on pools).

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Case, CaseDecision, CaseQuery, CaseState, Hold, HoldInput, OwnerDecision, PoolQuery};

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::fields::{SelectField, TextField};
use crate::components::filters::FilterSelect;
use crate::components::form::Saver;
use crate::components::list::{use_list_query, Count, ListTable};
use crate::components::person_picker::PersonPicker;
use crate::components::shell::Shell;
use crate::components::StatusBadge;
use crate::components::{EmptyState, ErrorBanner, Loaded};
use crate::format;
use crate::pages::reclamation::ReclamationTabs;
use crate::session::use_session;

const KEYS: [&str; 4] = ["state", "pool_id", "campaign_id", "page"];

fn duration(ms: i64) -> String {
    let hours = ms / 3_600_000;
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else if hours >= 1 {
        format!("{hours} h")
    } else {
        format!("{} min", ms / 60_000)
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let list = use_list_query("/reclamation/cases", &KEYS);
    let update = list.update;
    let cases = LocalResource::new(move || {
        let query = list.api_query::<CaseQuery>();
        async move { api::reclamation::cases(&CaseQuery { per_page: Some(50), ..query? }).await }
    });
    let revoke = LocalResource::new(api::reclamation::time_to_revoke);
    let restore = Action::new_local(|id: &i64| {
        let id = *id;
        async move { api::reclamation::restore(id).await }
    });
    let decide = Action::new_local(|(id, decision): &(i64, OwnerDecision)| {
        let (id, decision) = (*id, *decision);
        async move { api::campaigns::decide(id, &CaseDecision { decision, note: None }).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = restore.value().get() {
            cases.refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            cases.refetch();
        }
    });
    let mut states: Vec<(String, String)> = vec![("open".into(), "Open (any waiting state)".into())];
    states.extend(
        CaseState::ALL.iter().map(|s| (s.as_str().to_string(), format::sentence_case(&s.as_str().replace('_', " ")))),
    );
    view! {
        <Shell title="Reclamation cases">
            <div class="page-head"><div>
                <h1>"Reclamation cases"</h1>
                <p class="muted">"Every seat a policy, an offboarding or a contract's end selected, and what became of it."</p>
            </div></div>
            <ReclamationTabs current="/reclamation/cases"/>
            <Loaded resource=revoke let:t>
                {let last = t.months.last().cloned();
                last.map(|m| view! {
                    <div class="cards">
                        <div class="card stat"><span class="stat-label">{format!("Offboarded seats revoked in {}", m.month)}</span>
                            <span class="stat-value">{format::number(m.cases)}</span></div>
                        <div class="card stat"><span class="stat-label">"Median time to revoke"</span>
                            <span class="stat-value">{m.median_ms.map(duration).unwrap_or_else(|| "—".into())}</span></div>
                        <div class="card stat"><span class="stat-label">"95th percentile"</span>
                            <span class="stat-value">{m.p95_ms.map(duration).unwrap_or_else(|| "—".into())}</span></div>
                        <div class="card stat"><span class="stat-label">{format!("Over {}", duration(t.limit_ms))}</span>
                            <span class="stat-value">{format::number(m.breaches)}</span></div>
                    </div>
                })}
            </Loaded>
            <section class="filters" aria-label="Filters">
                <FilterSelect id="case-state" label="State" key="state" options=states.clone() update=update/>
                <Show when=move || list.filtered()>
                    <button class="btn btn-ghost" type="button" on:click=move |_| list.clear_filters()>"Clear filters"</button>
                </Show>
            </section>
            <div aria-live="polite">
                {move || match restore.value().get() {
                    Some(Ok(c)) => Some(view! { <div class="banner banner-ok" role="status">{format!("{}'s seat of {} is back.", c.person_name, c.pool_name)}</div> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                    None => None,
                }}
                {move || match decide.value().get() {
                    Some(Ok(c)) => Some(view! { <div class="banner banner-ok" role="status">{format!("{}'s seat of {}: {}.", c.person_name, c.pool_name,
                        if c.state == CaseState::Kept { "kept" } else { "taken back" })}</div> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                    None => None,
                }}
            </div>
            <Loaded resource=cases let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No cases here">"Run a policy, or terminate someone who holds seats, and their cases appear here."</EmptyState> }.into_any()
                } else {
                    view! {
                        <ListTable page=page id="cases" count=Count::Total { one: "case", many: "cases" } update=update
                            head=|| view! {
                                <th scope="col">"Person"</th><th scope="col">"Pool"</th><th scope="col">"Why"</th>
                                <th scope="col">"State"</th><th scope="col">"Opened"</th><th scope="col">"Action"</th>
                            }
                            row=move |c| view! { <CaseRow case=c restore=restore decide=decide/> }/>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn CaseRow(
    case: Case,
    restore: Action<i64, api::ApiResult<Case>>,
    decide: Action<(i64, OwnerDecision), api::ApiResult<Case>>,
) -> impl IntoView {
    let c = case;
    let id = c.id;
    let origin = match c.origin {
        seatwise_types::CaseOrigin::Policy => {
            c.policy_id.map_or("Policy".to_string(), |p| format!("Policy #{p} v{}", c.policy_version.unwrap_or(1)))
        }
        seatwise_types::CaseOrigin::Offboarding => "Offboarding".into(),
        seatwise_types::CaseOrigin::Contract => "Contract ended".into(),
        seatwise_types::CaseOrigin::Holder => "Given back".into(),
        seatwise_types::CaseOrigin::Campaign => {
            c.campaign_id.map_or("Campaign".to_string(), |k| format!("Campaign #{k}"))
        }
    };
    let can_restore = c.restorable_until.is_some();
    let owner_decides = c.awaiting_owner;
    let take_back = format!("Take back {}'s seat of {} now? It is freed at once and its saving recorded; it can be restored within 30 days.", c.person_name, c.pool_name);
    let answered = c.answer.map(|a| {
        format!(
            "{} answered {}{}",
            c.answered_by.clone().unwrap_or_default(),
            a.as_str(),
            c.answer_comment.as_ref().map(|m| format!(": “{m}”")).unwrap_or_default()
        )
    });
    view! {
        <tr>
            <td><A href=format!("/people/{}", c.person_id) attr:class="row-link">{c.person_name.clone()}</A>
                <div class="muted small break">{c.person_email.clone()}</div></td>
            <td><A href=format!("/pools/{}", c.pool_id)>{c.pool_name.clone()}</A></td>
            <td>{c.detail.clone()}<div class="muted small">{origin}</div></td>
            <td><StatusBadge status=c.state/>
                {c.hold_reason.clone().map(|h| view! { <div class="muted small">{h}</div> })}
                {answered.map(|a| view! { <div class="muted small">{a}</div> })}
                {c.note.clone().map(|n| view! { <div class="muted small">{n}</div> })}
                {c.change_request_id.map(|cr| view! { <div class="small"><A href=format!("/changes/{cr}")>{format!("Change request #{cr}")}</A></div> })}</td>
            <td><span title=c.opened_at.to_rfc3339()>{format::datetime(&c.opened_at)}</span></td>
            <td>{owner_decides.then(|| view! {
                <div class="button-row">
                    <button class="btn btn-small" type="button" disabled=move || decide.pending().get()
                        on:click=move |_| { decide.dispatch((id, OwnerDecision::Keep)); }>"Keep"</button>
                    <ConfirmButton label="Take back".into() class="btn btn-small" question=take_back.clone()
                        confirm="Take the seat back".to_string() disabled=decide.pending()
                        on_confirm=Callback::new(move |_| { decide.dispatch((id, OwnerDecision::Reclaim)); })/>
                </div>
            })}
            {can_restore.then(|| view! {
                <button class="btn btn-small" type="button" disabled=move || restore.pending().get()
                    on:click=move |_| { restore.dispatch(id); }>"Restore"</button>
                {c.restorable_until.map(|u| view! { <div class="muted small">{format!("until {}", format::datetime(&u))}</div> })}
            })}</td>
        </tr>
    }
}

#[component]
pub fn HoldsPage() -> impl IntoView {
    let session = use_session();
    let holds = LocalResource::new(api::reclamation::holds);
    let lift = Action::new_local(|id: &i64| {
        let id = *id;
        async move { api::reclamation::lift_hold(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = lift.value().get() {
            holds.refetch();
        }
    });
    view! {
        <Shell title="Holds">
            <div class="page-head"><div>
                <h1>"Holds"</h1>
                <p class="muted">"A legal hold keeps a person's seats; a blackout window freezes a pool. Revocation waits until the hold ends, then happens on the daily run."</p>
            </div></div>
            <ReclamationTabs current="/reclamation/holds"/>
            <Show when=move || session.can().manage_reclamation>
                <HoldForm on_saved=Callback::new(move |_| holds.refetch())/>
            </Show>
            {move || lift.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            <Loaded resource=holds let:list>
                {if list.is_empty() {
                    view! { <EmptyState title="No holds">"Seats of people who leave are reclaimed at once."</EmptyState> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="holds">
                                <thead><tr><th scope="col">"Kind"</th><th scope="col">"On"</th><th scope="col">"Reason"</th>
                                    <th scope="col">"From"</th><th scope="col">"Until"</th><th scope="col">"State"</th><th scope="col">"Action"</th></tr></thead>
                                <tbody>{list.into_iter().map(|h| view! { <HoldRow hold=h lift=lift/> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn HoldRow(hold: Hold, lift: Action<i64, api::ApiResult<Hold>>) -> impl IntoView {
    let h = hold;
    let id = h.id;
    let state = match (h.lifted_at, h.active) {
        (Some(_), _) => view! { <span class="badge badge-muted">"Lifted"</span> },
        (None, true) => view! { <span class="badge badge-warn">"In force"</span> },
        (None, false) => view! { <span class="badge badge-info">"Not in force today"</span> },
    };
    let open = h.lifted_at.is_none();
    view! {
        <tr>
            <td>{if h.kind == "legal" { "Legal hold" } else { "Blackout window" }}</td>
            <td>{h.subject.clone()}</td>
            <td>{h.reason.clone()}</td>
            <td>{format::date(&h.starts_on)}</td>
            <td>{h.ends_on.map(|d| format::date(&d)).unwrap_or_else(|| "until lifted".into())}</td>
            <td>{state}</td>
            <td>{open.then(|| view! { <button class="btn btn-small" type="button" disabled=move || lift.pending().get()
                on:click=move |_| { lift.dispatch(id); }>"Lift"</button> })}</td>
        </tr>
    }
}

#[component]
fn HoldForm(on_saved: Callback<Hold>) -> impl IntoView {
    let kind = RwSignal::new("blackout".to_string());
    let pool = RwSignal::new(String::new());
    let person = RwSignal::new(None::<i64>);
    let picked = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let pools = LocalResource::new(|| async {
        api::pools::list(&PoolQuery { per_page: Some(500), sort: Some("name".into()), ..Default::default() }).await
    });
    let pool_options = Signal::derive(move || {
        pools
            .get()
            .and_then(Result::ok)
            .map(|p| p.items.into_iter().map(|p| (p.id.to_string(), p.name)).collect())
            .unwrap_or_default()
    });
    let saver = Saver::new(
        |input: HoldInput| async move { api::reclamation::create_hold(&input).await },
        move |h: Hold| {
            reason.set(String::new());
            on_saved.run(h);
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = Vec::new();
        let date = |v: String, path: &str, fields: &mut Vec<seatwise_types::FieldError>| {
            let v = v.trim().to_string();
            if v.is_empty() {
                return None;
            }
            v.parse().map_err(|_| fields.push(seatwise_types::FieldError::new(path, "must be a date"))).ok()
        };
        let legal = kind.get_untracked() == "legal";
        let input = HoldInput {
            kind: kind.get_untracked(),
            person_id: if legal { person.get_untracked() } else { None },
            pool_id: if legal { None } else { pool.get_untracked().parse().ok() },
            reason: reason.get_untracked(),
            starts_on: date(starts.get_untracked(), "starts_on", &mut fields),
            ends_on: date(ends.get_untracked(), "ends_on", &mut fields),
        };
        saver.submit(if fields.is_empty() { Ok(input) } else { Err(fields) });
    };
    let error: Signal<Option<ApiError>> = saver.error.into();
    let kinds = Signal::derive(|| {
        vec![
            ("blackout".to_string(), "Blackout window on a pool".to_string()),
            ("legal".to_string(), "Legal hold on a person".to_string()),
        ]
    });
    view! {
        <form class="form panel" novalidate on:submit=submit>
            <h2>"Place a hold"</h2>
            {move || error.get().filter(|e| e.fields().is_empty()).map(|e| view! { <ErrorBanner error=e/> })}
            <div class="form-grid">
                <SelectField id="hold-kind" path="kind" label="Kind" value=kind options=kinds error=error/>
                <Show when=move || kind.get() == "blackout" fallback=move || view! {
                    <div class="field">
                        <PersonPicker id="hold-person" label="Person" on_pick=Callback::new(move |p: seatwise_types::Person| {
                            person.set(Some(p.id));
                            picked.set(p.name);
                        })/>
                        {move || (!picked.get().is_empty()).then(|| view! { <p class="muted small">{format!("Chosen: {}", picked.get())}</p> })}
                        {move || error.get().and_then(|e| e.field("person_id")).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    </div>
                }>
                    <SelectField id="hold-pool" path="pool_id" label="Pool" value=pool options=pool_options error=error placeholder="Choose a pool"/>
                </Show>
                <TextField id="hold-reason" path="reason" label="Reason" value=reason error=error class="span-2"/>
                <TextField id="hold-starts" path="starts_on" label="From (empty: today)" value=starts error=error kind="date"/>
                <TextField id="hold-ends" path="ends_on" label="Until (empty: until lifted)" value=ends error=error kind="date"/>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>"Place hold"</button>
            </div>
        </form>
    }
}
