//! One connector (admins): its seat actions and where each stands in the target (filters in the address; a task
//! left to a person is marked done here), and its drift: the latest reconciliation, run again on demand, with the
//! target's unknown holders taken in as seats through a drafted change request.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    ChangeRequestInput, Connector, ConnectorInput, ConnectorKind, DriftEntry, OperationInput, Page, PoolTarget,
    Reconciliation, Removal, SeatAction, SeatActionKind, SeatActionQuery, SeatActionStatus,
};

use crate::api;
use crate::api::ApiError;
use crate::components::badge::StatusBadge;
use crate::components::confirm::ConfirmButton;
use crate::components::fields::{SelectField, TextField};
use crate::components::filters::FilterSelect;
use crate::components::form::Saver;
use crate::components::list::{use_list_query, Changes, Count, ListTable};
use crate::components::shell::Shell;
use crate::components::{EmptyState, ErrorBanner, Loaded};
use crate::format;
use crate::pages::connectors::{kind_label, pace_of, removal_options, PaceField, SecretFields, Secrets};
use crate::pages::record_id;

const KEYS: [&str; 2] = ["status", "page"];

#[component]
pub fn ConnectorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let connector = LocalResource::new(move || {
        let id = id();
        async move { api::connectors::get(id?).await }
    });
    view! {
        <Shell title="Connector">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/settings">"Settings"</A><span aria-hidden="true">" / "</span><span>"Connector"</span></nav>
            <h1 class="page-title">{move || connector.get().and_then(Result::ok).map_or_else(|| "Connector".to_string(), |c| c.name)}</h1>
            <Loaded resource=connector let:c>
                <Summary connector=c.clone() changed=Callback::new(move |_| connector.refetch())/>
                <Actions connector=c.clone()/>
                <Drift connector=c/>
            </Loaded>
        </Shell>
    }
}

#[component]
fn Summary(connector: Connector, changed: Callback<()>) -> impl IntoView {
    let c = connector;
    let id = c.id;
    let pools = c.pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
    // Its settings as they are, dry run turned the other way (credentials left out stay as stored).
    let toggled = ConnectorInput {
        kind: c.kind,
        name: c.name.clone(),
        base_url: c.base_url.clone(),
        credentials: None,
        pool_ids: c.pools.iter().map(|p| p.id).collect(),
        removal: c.removal,
        dry_run: !c.dry_run,
        max_actions_per_minute: c.max_actions_per_minute,
        targets: c
            .pools
            .iter()
            .filter_map(|p| p.group.clone().map(|group| PoolTarget { pool_id: p.id, group }))
            .collect(),
    };
    let toggle = Action::new_local(move |input: &ConnectorInput| {
        let input = input.clone();
        async move { api::connectors::update(id, &input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = toggle.value().get() {
            changed.run(());
        }
    });
    let remove = Action::new_local(move |_: &()| async move { api::connectors::remove(id).await });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/settings", Default::default());
        }
    });
    let dry = c.dry_run;
    let question = format!(
        "Remove {}? Its pools are free for another connector; its actions and reconciliations stay in the record.",
        c.name
    );
    view! {
        <p class="muted">{format!(
            "{} · {} · acts on {} · added by {} on {}",
            kind_label(c.kind),
            c.base_url.clone().unwrap_or_else(|| "no API".into()),
            if pools.is_empty() { "no pool yet".to_string() } else { pools },
            c.created_by,
            format::datetime(&c.created_at),
        )}</p>
        {c.max_actions_per_minute.map(|n| view! {
            <p class="muted small">{format!("Paced: at most {} action{} a minute reach the target.", format::number(n), if n == 1 { "" } else { "s" })}</p>
        })}
        {dry.then(|| view! {
            <div class="banner banner-warn" role="status">"Dry run: this connector records what it would send and leaves each action to a person."</div>
        })}
        <div class="button-row">
            <button class="btn" type="button" disabled=move || toggle.pending().get()
                on:click=move |_| { toggle.dispatch(toggled.clone()); }>
                {if dry { "Send for real" } else { "Switch to dry run" }}
            </button>
            <ConfirmButton label="Remove connector".into() question=question confirm="Remove it"
                on_confirm=Callback::new(move |_| { remove.dispatch(()); }) disabled=Signal::derive(move || remove.pending().get())/>
        </div>
        <div aria-live="polite">
            {move || toggle.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
        </div>
        <EditConnector connector=c changed=changed/>
    }
}

/// Its settings, changed in place: name, address, new credentials (none typed: the stored ones stay), how a seat
/// is removed and its pace. Its pools and groups stay as they are (the API changes them).
#[component]
fn EditConnector(connector: Connector, changed: Callback<()>) -> impl IntoView {
    let c = connector;
    let id = c.id;
    let kind = c.kind;
    let kind_name = Signal::derive(move || kind.as_str().to_string());
    let name = RwSignal::new(c.name.clone());
    let base_url = RwSignal::new(c.base_url.clone().unwrap_or_default());
    let secrets = Secrets::new();
    let removal = RwSignal::new(c.removal.as_str().to_string());
    let pace = RwSignal::new(c.max_actions_per_minute.map(|n| n.to_string()).unwrap_or_default());
    let saver = Saver::new(
        move |input: ConnectorInput| async move { api::connectors::update(id, &input).await },
        move |_| {
            secrets.clear();
            changed.run(());
        },
    );
    let err: Signal<Option<ApiError>> = saver.error.into();
    let kept = c.clone();
    let build = move || {
        Ok(ConnectorInput {
            kind,
            name: name.get_untracked(),
            base_url: Some(base_url.get_untracked()).filter(|u| !u.trim().is_empty()),
            credentials: secrets.credentials(kind, true),
            pool_ids: kept.pools.iter().map(|p| p.id).collect(),
            removal: Removal::parse(&removal.get_untracked()).unwrap_or(kept.removal),
            dry_run: kept.dry_run,
            max_actions_per_minute: pace_of(&pace.get_untracked())?,
            targets: kept
                .pools
                .iter()
                .filter_map(|p| p.group.clone().map(|group| PoolTarget { pool_id: p.id, group }))
                .collect(),
        })
    };
    let api_kind = kind != ConnectorKind::Manual;
    view! {
        <details class="start-campaign">
            <summary><strong>"Edit settings"</strong></summary>
            <form class="form-grid" novalidate on:submit=move |ev| { ev.prevent_default(); saver.submit(build()); }>
                <TextField id="edit-name" path="name" label="Name" value=name error=err required=true/>
                {api_kind.then(|| view! {
                    <TextField id="edit-url" path="base_url" label="Base address" value=base_url error=err kind="url" class="span-2"/>
                    <SecretFields kind=kind_name secrets=secrets error=err hint="Leave empty to keep the stored one"/>
                    <PaceField value=pace error=err/>
                })}
                {matches!(kind, ConnectorKind::Scim | ConnectorKind::Graph).then(|| view! {
                    <SelectField id="edit-removal" path="removal" label="A seat is removed by" value=removal options=removal_options() error=err/>
                })}
                {move || err.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="span-2"><ErrorBanner error=e/></div> })}
                <div class="button-row span-2">
                    <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>
                        {move || if saver.save.pending().get() { "Saving…" } else { "Save settings" }}
                    </button>
                </div>
            </form>
        </details>
    }
}

fn status_words(s: SeatActionStatus) -> &'static str {
    match s {
        SeatActionStatus::Pending => "Waiting to be sent",
        SeatActionStatus::Sent => "Sent",
        SeatActionStatus::Confirmed => "Confirmed",
        SeatActionStatus::Failed => "Failed, retrying",
        SeatActionStatus::Manual => "Needs a person",
    }
}

#[component]
fn Actions(connector: Connector) -> impl IntoView {
    let connector_id = connector.id;
    let list = use_list_query(format!("/connectors/{connector_id}"), &KEYS);
    let update = list.update;
    let actions = LocalResource::new(move || {
        let query = list.api_query::<SeatActionQuery>();
        async move { api::connectors::actions(connector_id, &SeatActionQuery { per_page: Some(50), ..query? }).await }
    });
    let statuses: Vec<(String, String)> =
        SeatActionStatus::ALL.iter().map(|s| (s.as_str().to_string(), status_words(*s).to_string())).collect();
    view! {
        <section class="panel" aria-labelledby="actions-title">
            <h2 id="actions-title">"Seat actions"</h2>
            <p class="muted">"Every seat removed or given back in this connector's pools, and where it stands in the target. A removal's case closes once the target shows it done."</p>
            <section class="filters" aria-label="Filters">
                <FilterSelect id="action-status" label="Status" key="status" options=statuses update=update/>
            </section>
            <SeatActionList actions=actions update=update id="seat-actions" count=Count::Total { one: "action", many: "actions" }
                what="What happened" empty_title="No seat actions here"
                empty_text="When a seat in one of this connector's pools is taken back or given, its action appears here."/>
        </section>
    }
}

/// Seat actions as the connector page and the tasks page list them: what marking one done came to, then the page
/// of actions (or the empty state), read again once one is marked done.
#[component]
pub fn SeatActionList(
    actions: LocalResource<api::ApiResult<Page<SeatAction>>>,
    update: Callback<Changes>,
    id: &'static str,
    count: Count,
    /// The column of what happened, or of what to do.
    what: &'static str,
    empty_title: &'static str,
    empty_text: &'static str,
) -> impl IntoView {
    let done = mark_done();
    Effect::new(move |_| {
        if let Some(Ok(_)) = done.value().get() {
            actions.refetch();
        }
    });
    view! {
        <DoneBanner done=done/>
        <Loaded resource=actions let:page>
            {if page.items.is_empty() {
                view! { <EmptyState title=empty_title>{empty_text}</EmptyState> }.into_any()
            } else {
                view! {
                    <ListTable page=page id=id count=count update=update
                        head=move || action_head(what)
                        row=move |a| view! { <ActionRow action=a done=done/> }/>
                }.into_any()
            }}
        </Loaded>
    }
}

/// Marking a task done: (connector id, action id) in, the confirmed action out.
type MarkDone = Action<(i64, i64), api::ApiResult<SeatAction>>;

fn mark_done() -> MarkDone {
    Action::new_local(move |(connector_id, action_id): &(i64, i64)| {
        let (connector_id, action_id) = (*connector_id, *action_id);
        async move { api::connectors::done(connector_id, action_id).await }
    })
}

/// What marking a task done came to, said where a screen reader hears it.
#[component]
fn DoneBanner(done: MarkDone) -> impl IntoView {
    view! {
        <div aria-live="polite">
            {move || match done.value().get() {
                Some(Ok(a)) => Some(view! { <div class="banner banner-ok" role="status">{format!("Marked done: {} in {}.", a.person_name, a.pool_name)}</div> }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                None => None,
            }}
        </div>
    }
}

/// The head of a table of [`ActionRow`]s; `what` names the column of what happened or what to do.
fn action_head(what: &'static str) -> impl IntoView {
    view! {
        <th scope="col">"Person"</th><th scope="col" class="minor">"Pool"</th><th scope="col" class="minor">"Action"</th>
        <th scope="col">"Status"</th><th scope="col">{what}</th><th scope="col" class="minor">"Queued"</th>
        <th scope="col"><span class="sr-only">"Mark done"</span></th>
    }
}

/// One seat action as a table row: who, where, what, its status and what happened, with Mark done on a task.
#[component]
fn ActionRow(action: SeatAction, done: MarkDone) -> impl IntoView {
    let a = action;
    let id = (a.connector_id, a.id);
    let what = match a.kind {
        SeatActionKind::Remove => "Remove",
        SeatActionKind::Add => "Give",
    };
    let when_next = a.next_attempt_at.filter(|_| a.status == SeatActionStatus::Failed);
    let label = format!("Mark done: {} in {}", a.person_name, a.pool_name);
    view! {
        <tr>
            <td>{a.person_name.clone()}<div class="muted small break">{a.account.clone()}</div></td>
            <td class="minor">{a.pool_name.clone()}</td>
            <td class="minor">{what}{a.dry_run.then(|| view! { <div class="muted small">"dry run"</div> })}</td>
            <td><StatusBadge status=a.status/>
                {(a.attempts > 0).then(|| view! { <div class="muted small">{format!("{} attempt{}", a.attempts, if a.attempts == 1 { "" } else { "s" })}</div> })}</td>
            <td class="break">
                {a.detail.clone().map(|d| view! { <div>{d}</div> })}
                {a.last_error.clone().map(|e| view! { <div class="field-error">{e}</div> })}
                {when_next.map(|t| view! { <div class="muted small">{format!("Next attempt {}", format::datetime(&t))}</div> })}
                {a.confirmed_by.clone().filter(|_| a.status == SeatActionStatus::Confirmed).map(|by| view! {
                    <div class="muted small">{format!("Confirmed by {by}")}</div>
                })}
            </td>
            <td class="minor"><span title=a.created_at.to_rfc3339()>{format::datetime(&a.created_at)}</span></td>
            <td>{(a.status == SeatActionStatus::Manual).then(|| view! {
                <button class="btn btn-small" type="button" aria-label=label.clone() disabled=move || done.pending().get()
                    on:click=move |_| { done.dispatch(id); }>"Mark done"</button>
            })}</td>
        </tr>
    }
}

/// The latest reconciliation, or none yet (a 404 is not an error here).
async fn latest(id: i64) -> api::ApiResult<Option<Reconciliation>> {
    match api::connectors::reconciliation(id).await {
        Ok(r) => Ok(Some(r)),
        Err(e) if e.status == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

#[component]
fn Drift(connector: Connector) -> impl IntoView {
    let connector_id = connector.id;
    let first_pool = connector.pools.first().cloned();
    let report = LocalResource::new(move || latest(connector_id));
    let run = Action::new_local(move |_: &()| async move { api::connectors::reconcile(connector_id).await });
    Effect::new(move |_| {
        if let Some(Ok(_)) = run.value().get() {
            report.refetch();
        }
    });
    let navigate = use_navigate();
    // Unknown holders who are people of the directory, chosen to be taken in as seats.
    let chosen = RwSignal::new(Vec::<i64>::new());
    let draft = Action::new_local(move |input: &ChangeRequestInput| {
        let input = input.clone();
        async move { api::change_requests::create(&input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(cr)) = draft.value().get() {
            navigate(&format!("/changes/{}", cr.id), Default::default());
        }
    });
    let take_in = move |_| {
        let Some(pool) = first_pool.clone() else { return };
        let operations = chosen
            .get_untracked()
            .into_iter()
            .map(|person| OperationInput {
                op: Some("assign".into()),
                pool_id: Some(pool.id),
                person_id: Some(person),
                ..OperationInput::default()
            })
            .collect();
        draft.dispatch(ChangeRequestInput {
            title: format!("Take in seats found in the target of {}", pool.name),
            reason: "Reconciliation found these people holding the license in the target without a seat in Seatwise."
                .into(),
            operations,
            execute_at: None,
        });
    };
    let can_take_in = connector.pools.len() == 1;
    let connector_name = connector.name.clone();
    // Seats Seatwise has and the target does not: a request removing them here, for someone to sign off.
    let remove_missing = Callback::new(move |seats: Vec<(i64, i64)>| {
        let n = seats.len();
        let operations = seats
            .into_iter()
            .map(|(pool, person)| OperationInput {
                op: Some("unassign".into()),
                pool_id: Some(pool),
                person_id: Some(person),
                ..OperationInput::default()
            })
            .collect();
        draft.dispatch(ChangeRequestInput {
            title: format!("Remove seats missing in the target of {connector_name}"),
            reason: format!(
                "Reconciliation found no active account in the target for {n} seat{} held in Seatwise.",
                if n == 1 { "" } else { "s" }
            ),
            operations,
            execute_at: None,
        });
    });
    view! {
        <section class="panel" aria-labelledby="drift-title">
            <div class="panel-head">
                <h2 id="drift-title">"Drift"</h2>
                <button class="btn" type="button" disabled=move || run.pending().get() on:click=move |_| { run.dispatch(()); }>
                    {move || if run.pending().get() { "Reconciling…" } else { "Reconcile now" }}
                </button>
            </div>
            <p class="muted">"The target's accounts against the seats in this connector's pools. It runs every night too."</p>
            <div aria-live="polite">
                {move || run.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
                {move || draft.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            </div>
            <Loaded resource=report let:found>
                {match found {
                    None => view! { <EmptyState title="Not reconciled yet">"Reconcile now to compare the target with Seatwise."</EmptyState> }.into_any(),
                    Some(r) => view! { <Report report=r chosen=chosen can_take_in=can_take_in remove_missing=remove_missing drafting=draft.pending()/> }.into_any(),
                }}
            </Loaded>
            <Show when=move || !chosen.get().is_empty()>
                <div class="button-row">
                    <button class="btn btn-primary" type="button" disabled=move || draft.pending().get() on:click=take_in.clone()>
                        {move || {
                            let n = chosen.get().len();
                            format!("Draft a change request taking in {n} seat{}", if n == 1 { "" } else { "s" })
                        }}
                    </button>
                </div>
            </Show>
        </section>
    }
}

fn stat(label: &'static str, value: String) -> impl IntoView {
    view! { <div class="card stat"><span class="stat-label">{label}</span><span class="stat-value">{value}</span></div> }
}

fn listed(shown: usize, total: i64) -> String {
    if (shown as i64) < total {
        format!("The first {} of {}.", format::number(shown as i64), format::number(total))
    } else {
        String::new()
    }
}

#[component]
fn Report(
    report: Reconciliation,
    chosen: RwSignal<Vec<i64>>,
    can_take_in: bool,
    remove_missing: Callback<Vec<(i64, i64)>>,
    drafting: Memo<bool>,
) -> impl IntoView {
    let r = report;
    // The listed seats a request can remove: a person's seat in a pool, with nothing already on its way.
    let removable: Vec<(i64, i64)> =
        r.missing_in_target.iter().filter(|e| !e.in_flight).filter_map(|e| Some((e.pool_id?, e.person_id?))).collect();
    let missing_note = listed(r.missing_in_target.len(), r.missing_total);
    let unknown_note = listed(r.unknown_in_target.len(), r.unknown_total);
    view! {
        <p class="muted">{format!("Last run {} by {}.", format::datetime(&r.ran_at), r.ran_by)}</p>
        <div class="cards">
            {stat("Seats in Seatwise", format::number(r.seats))}
            {stat("Active accounts in the target", format::number(r.target_active))}
            {stat("Matched", format::number(r.matched))}
            {stat("Missing in the target", format::number(r.missing_total))}
            {stat("Unknown to Seatwise", format::number(r.unknown_total))}
        </div>
        {(!r.units.is_empty()).then(|| view! {
            <h3>"Units in the target"</h3>
            <div class="table-wrap" tabindex="0">
                <table class="table" id="drift-units">
                    <thead><tr><th scope="col">"Pool"</th><th scope="col">"License"</th>
                        <th scope="col" class="num">"Used in the target"</th><th scope="col" class="num">"Bought in the target"</th>
                        <th scope="col" class="num">"Seats held"</th><th scope="col" class="num">"Seats bought"</th></tr></thead>
                    <tbody>{r.units.clone().into_iter().map(|u| view! {
                        <tr>
                            <td>{u.pool_name}</td><td class="break">{u.sku}</td>
                            <td class="num">{format::number(u.target_consumed)}</td>
                            <td class="num">{format::number(u.target_purchased)}</td>
                            <td class="num">{format::number(u.seats_assigned)}</td>
                            <td class="num">{u.seats_purchased.map_or_else(|| "—".to_string(), format::number)}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            </div>
        })}
        {(!r.differs.is_empty()).then(|| view! {
            <h3>"Another license in the target"</h3>
            <div class="table-wrap" tabindex="0">
                <table class="table" id="drift-differs">
                    <thead><tr><th scope="col">"Account"</th><th scope="col" class="minor">"Person"</th><th scope="col">"What differs"</th></tr></thead>
                    <tbody>{r.differs.clone().into_iter().map(|e: DriftEntry| view! {
                        <tr>
                            <td class="break">{e.account}</td>
                            <td class="minor">{e.person_name.unwrap_or_default()}</td>
                            <td>{e.detail}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            </div>
        })}
        <h3>"Missing in the target"</h3>
        {if r.missing_in_target.is_empty() {
            view! { <p class="muted">"Every seat has an active account in the target."</p> }.into_any()
        } else {
            view! {
                <p class="muted small">{missing_note}</p>
                <div class="table-wrap" tabindex="0">
                    <table class="table" id="drift-missing">
                        <thead><tr><th scope="col">"Account"</th><th scope="col" class="minor">"Person"</th><th scope="col" class="minor">"Pool"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>{r.missing_in_target.into_iter().map(|e: DriftEntry| view! {
                            <tr>
                                <td class="break">{e.account}</td>
                                <td class="minor">{e.person_name.unwrap_or_default()}</td>
                                <td class="minor">{e.pool_name.unwrap_or_default()}</td>
                                <td>{e.detail}{e.in_flight.then(|| view! { <div class="muted small">"A seat action is on its way."</div> })}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
                {(!removable.is_empty()).then(|| {
                    let n = removable.len();
                    let seats = removable.clone();
                    view! {
                        <div class="button-row">
                            <button class="btn" type="button" disabled=move || drafting.get() on:click=move |_| remove_missing.run(seats.clone())>
                                {format!("Draft a change request removing {n} seat{}", if n == 1 { "" } else { "s" })}
                            </button>
                            <span class="muted small">"Someone else signs it off before any seat goes."</span>
                        </div>
                    }
                })}
            }.into_any()
        }}
        <h3>"Unknown to Seatwise"</h3>
        {if r.unknown_in_target.is_empty() {
            view! { <p class="muted">"The target has no active account Seatwise does not know."</p> }.into_any()
        } else {
            view! {
                <p class="muted small">{unknown_note}</p>
                {(!can_take_in).then(|| view! { <p class="muted small">"Taking accounts in as seats needs a connector with one pool."</p> })}
                <div class="table-wrap" tabindex="0">
                    <table class="table" id="drift-unknown">
                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Person of the directory"</th><th scope="col">"Take in as a seat"</th></tr></thead>
                        <tbody>{r.unknown_in_target.into_iter().map(|e: DriftEntry| {
                            let pick = e.person_id.filter(|_| can_take_in).map(|person| {
                                let label = format!("Take in {} as a seat", e.account);
                                view! {
                                    <input type="checkbox" aria-label=label prop:checked=move || chosen.with(|c| c.contains(&person))
                                        on:change=move |ev| chosen.update(|c| {
                                            c.retain(|p| *p != person);
                                            if event_target_checked(&ev) { c.push(person); }
                                        })/>
                                }
                            });
                            view! {
                                <tr>
                                    <td class="break">{e.account}</td>
                                    <td>{e.person_name.unwrap_or_else(|| "Not in the directory".into())}</td>
                                    <td>{pick}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}
