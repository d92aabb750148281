//! One reclamation policy: what it selects, a dry run of exactly which seats it would touch and why (with the
//! saving), and running it; and the form that writes a policy (each save a new version).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{FieldError, Finding, PageQuery, Policy, PolicyConditions, PolicyInput, PoolQuery, ReclaimAction};

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::{EmptyState, ErrorBanner, Loaded, MoneyText};
use crate::format;
use crate::pages::campaigns::{Asked, StartCampaign};
use crate::pages::reclamation::{action_label, conditions_text, ReclamationTabs};
use crate::pages::record_id;
use crate::session::use_session;

#[component]
pub fn PolicyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let policy = LocalResource::new(move || {
        let id = id();
        async move { api::reclamation::policy(id?).await }
    });
    let dry = LocalResource::new(move || {
        let id = id();
        async move { api::reclamation::dry_run(id?, &PageQuery { page: Some(1), per_page: Some(200) }).await }
    });
    let session = use_session();
    let run = Action::new_local(move |id: &i64| {
        let id = *id;
        async move { api::reclamation::run(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = run.value().get() {
            dry.refetch();
            policy.refetch();
        }
    });
    view! {
        <Shell title="Reclamation policy">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/reclamation">"Reclamation"</A><span aria-hidden="true">" / "</span><span>"Policy"</span></nav>
            // The heading stands outside the record, so a policy that cannot be shown still has a page.
            <h1 class="page-title">{move || policy.get().and_then(Result::ok).map_or_else(|| "Reclamation policy".to_string(), |p| p.name)}</h1>
            <Loaded resource=policy let:p>
                <div class="page-head">
                    <div>
                        <p class="muted">{format!("{} · {} · version {}", p.scope_name, conditions_text(&p), p.version)}</p>
                    </div>
                    {
                        let shown = p.clone();
                        view! {
                            <Show when=move || session.can().manage_reclamation>
                                <PolicyActions policy=shown.clone() dry=dry run=run/>
                            </Show>
                        }
                    }
                </div>
                <ReclamationTabs current="/reclamation"/>
                {
                    let (id, name) = (p.id, p.name.clone());
                    let asks = p.action != ReclaimAction::Notify;
                    view! {
                        <Show when=move || asks && session.can().manage_reclamation>
                            <StartCampaign asked=Asked::Policy(id) name=format!("{name}: ask first")
                                summary="the seats this policy selects now"/>
                        </Show>
                    }
                }
                <dl class="facts panel">
                    <dt>"Does"</dt><dd>{match (&p.target_pool_name, p.action) {
                        (Some(t), ReclaimAction::Downgrade) => format!("Downgrade to {t}"),
                        _ => action_label(p.action).to_string(),
                    }}</dd>
                    <dt>"Approval"</dt><dd>{if p.needs_approval { "Each run's batch goes to the approval queue" } else { "Acts at once" }}</dd>
                    <dt>"Daily run"</dt><dd>{if p.enabled { "Enabled" } else { "Off: dry run only" }}</dd>
                    <dt>"Usage data"</dt><dd>{format!("Acted on only when read in the last {} days", p.conditions.max_data_age_days)}</dd>
                </dl>
            </Loaded>
            <div aria-live="polite">
                {move || match run.value().get() {
                    Some(Ok(r)) => Some(view! { <div class="banner banner-ok" role="status">{format!(
                        "Run done: {} case{} opened, {} reclaimed, {} downgraded, {} waiting for approval, {} left alone for stale data.",
                        r.opened, if r.opened == 1 { "" } else { "s" }, r.reclaimed, r.downgraded, r.awaiting_approval, r.stale)}
                        {r.change_request_id.map(|cr| view! { " " <A href=format!("/changes/{cr}")>"Open the change request"</A> })}
                    </div> }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                    None => None,
                }}
            </div>
            <h2>"Dry run"</h2>
            <Loaded resource=dry let:d>
                <div class="cards">
                    <div class="card stat"><span class="stat-label">"Seats selected"</span><span class="stat-value">{format::number(d.total)}</span></div>
                    <div class="card stat"><span class="stat-label">"Saving per month"</span><span class="stat-value">{money_list(d.saving.monthly.clone())}</span></div>
                    <div class="card stat"><span class="stat-label">"Saving per year"</span><span class="stat-value">{money_list(d.saving.annual.clone())}</span></div>
                    <div class="card stat"><span class="stat-label">"Stale data (not acted on)"</span><span class="stat-value">{format::number(d.stale)}</span></div>
                    <div class="card stat"><span class="stat-label">"Seats without usage data"</span><span class="stat-value">{format::number(d.without_data)}</span></div>
                </div>
                {if d.items.is_empty() {
                    view! { <EmptyState title="Nothing to reclaim">"No seat meets this policy's conditions today."</EmptyState> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="findings">
                                <thead><tr>
                                    <th scope="col">"Person"</th><th scope="col">"Pool"</th><th scope="col">"Why"</th>
                                    <th scope="col">"Data"</th><th scope="col" class="num">"Saving per year"</th>
                                </tr></thead>
                                <tbody>{d.items.into_iter().map(|f| view! { <FindingRow finding=f/> }).collect_view()}</tbody>
                            </table>
                        </div>
                        {(d.total > d.per_page).then(|| view! { <p class="muted small">{format!("The first {} of {} seats.", d.per_page, d.total)}</p> })}
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

type DryRunResource = LocalResource<api::ApiResult<seatwise_types::DryRun>>;

/// Edit, and run now. Running acts on real seats, so it says what it will do first; it is the page's main action
/// only while the daily run is on (off, the policy is being tried out).
#[component]
fn PolicyActions(
    policy: Policy,
    dry: DryRunResource,
    run: Action<i64, api::ApiResult<seatwise_types::PolicyRun>>,
) -> impl IntoView {
    let id = policy.id;
    let class = if policy.enabled { "btn btn-primary" } else { "btn" };
    view! {
        <div class="button-row">
            <A href=format!("/reclamation/policies/{id}/edit") attr:class="btn">"Edit"</A>
            <ConfirmButton label="Run now".to_string() question=run_question(policy.clone(), dry)
                confirm=run_confirm(policy, dry) class=class
                disabled=run.pending() on_confirm=Callback::new(move |_| { run.dispatch(id); })/>
        </div>
    }
}

/// What running the policy now will do, from its dry run: how many seats, whose, and what it saves.
fn run_question(p: Policy, dry: DryRunResource) -> Signal<String> {
    Signal::derive(move || {
        let Some(d) = dry.get().and_then(Result::ok) else {
            return "The dry run is still being worked out; running now acts on the seats it selects.".into();
        };
        if d.total == 0 {
            return "No seat meets this policy's conditions today: running now changes nothing.".into();
        }
        let mut names: Vec<&str> = d.items.iter().take(3).map(|f| f.person_name.as_str()).collect();
        if d.total > 3 {
            names.push("others");
        }
        let whose = names.join(", ");
        let saving: Vec<String> = d.saving.annual.iter().map(format::money).collect();
        let what = match (p.action, &p.target_pool_name) {
            (ReclaimAction::Notify, _) => "notifies their holders; no seat is taken".to_string(),
            (ReclaimAction::Downgrade, Some(t)) => format!("moves their holders to {t}"),
            _ => "takes the seats back".to_string(),
        };
        let when = if p.needs_approval {
            "The batch goes to the approval queue: nothing changes before it is approved."
        } else if p.action == ReclaimAction::Notify {
            ""
        } else {
            "This happens at once; each seat can be restored within 30 days."
        };
        format!(
            "Running now {what} for the {} seat{} of the dry run ({whose}), saving {} a year. {when}",
            format::number(d.total),
            if d.total == 1 { "" } else { "s" },
            if saving.is_empty() { "nothing".to_string() } else { saving.join(" + ") },
        )
    })
}

/// The confirming button, naming the act and its size.
fn run_confirm(p: Policy, dry: DryRunResource) -> Signal<String> {
    Signal::derive(move || {
        let n = dry.get().and_then(Result::ok).map_or(0, |d| d.total);
        let seats = format!("{} seat{}", format::number(n), if n == 1 { "" } else { "s" });
        match p.action {
            _ if p.needs_approval => format!("Send {seats} for approval"),
            ReclaimAction::Notify => format!("Notify the holders of {seats}"),
            ReclaimAction::Downgrade => format!("Downgrade {seats}"),
            ReclaimAction::Reclaim => format!("Reclaim {seats}"),
        }
    })
}

fn money_list(list: Vec<seatwise_types::Money>) -> impl IntoView {
    if list.is_empty() {
        view! { <span>"—"</span> }.into_any()
    } else {
        list.into_iter()
            .map(|m| view! { <span class="money-line"><MoneyText money=m/></span> })
            .collect_view()
            .into_any()
    }
}

#[component]
fn FindingRow(finding: Finding) -> impl IntoView {
    let f = finding;
    let data = match (&f.data_source, f.data_read_at) {
        (Some(source), Some(at)) => format!("{source}, read {}", format::age(&at)),
        _ => "status".into(),
    };
    view! {
        <tr>
            <td><A href=format!("/people/{}", f.person_id) attr:class="row-link">{f.person_name.clone()}</A>
                <div class="muted small break">{f.person_email.clone()}</div></td>
            <td>{f.pool_name.clone()}</td>
            <td>{f.detail.clone()}</td>
            <td>{data}{f.stale.then(|| view! { <div><span class="badge badge-warn">"Stale: not acted on"</span></div> })}</td>
            <td class="num">{f.annual_saving.map(|m| view! { <MoneyText money=m/> })}</td>
        </tr>
    }
}

#[component]
pub fn PolicyCreatePage() -> impl IntoView {
    view! {
        <Shell title="New reclamation policy">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/reclamation">"Reclamation"</A><span aria-hidden="true">" / "</span><span>"New policy"</span></nav>
            <div class="page-head"><div><h1>"New reclamation policy"</h1>
                <p class="muted">"Leave it off the daily run until its dry run shows what you expect."</p></div></div>
            <PolicyForm policy=None/>
        </Shell>
    }
}

#[component]
pub fn PolicyEditPage() -> impl IntoView {
    let params = use_params_map();
    let policy = LocalResource::new(move || {
        let id = record_id(params.with(|p| p.get("id")));
        async move { api::reclamation::policy(id?).await }
    });
    view! {
        <Shell title="Edit reclamation policy">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/reclamation">"Reclamation"</A><span aria-hidden="true">" / "</span><span>"Edit policy"</span></nav>
            <div class="page-head"><div><h1>"Edit reclamation policy"</h1>
                <p class="muted">"Saving writes a new version; cases already opened keep the version that opened them."</p></div></div>
            <Loaded resource=policy let:p>
                <PolicyForm policy=Some(p)/>
            </Loaded>
        </Shell>
    }
}

/// A whole number of days, or none when empty.
fn days(v: &str, path: &str, fields: &mut Vec<FieldError>) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    v.parse::<i64>().map_err(|_| fields.push(FieldError::new(path, "must be a whole number of days"))).ok()
}

#[component]
fn PolicyForm(policy: Option<Policy>) -> impl IntoView {
    let navigate = use_navigate();
    let id = policy.as_ref().map(|p| p.id);
    let c = policy.as_ref().map(|p| p.conditions.clone());
    let name = RwSignal::new(policy.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let pool = RwSignal::new(policy.as_ref().and_then(|p| p.pool_id).map(|i| i.to_string()).unwrap_or_default());
    let action = RwSignal::new(policy.as_ref().map_or("reclaim", |p| p.action.as_str()).to_string());
    let target =
        RwSignal::new(policy.as_ref().and_then(|p| p.target_pool_id).map(|i| i.to_string()).unwrap_or_default());
    let inactive = RwSignal::new(c.as_ref().and_then(|c| c.inactive_days).map_or("90".into(), |d| d.to_string()));
    let never = RwSignal::new(c.as_ref().is_none_or(|c| c.never_used));
    // New policies leave VIPs alone unless told otherwise.
    let vips = RwSignal::new(c.as_ref().is_none_or(|c| c.exempt_vips));
    let grace = RwSignal::new(c.as_ref().map_or("90".into(), |c| c.grace_days.to_string()));
    let max_age = RwSignal::new(c.as_ref().map_or("7".into(), |c| c.max_data_age_days.to_string()));
    let approval = RwSignal::new(policy.as_ref().is_some_and(|p| p.needs_approval));
    let enabled = RwSignal::new(policy.as_ref().is_some_and(|p| p.enabled));
    let kept = c.clone();
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
        move |input: PolicyInput| async move {
            match id {
                Some(id) => api::reclamation::update_policy(id, &input).await,
                None => api::reclamation::create_policy(&input).await,
            }
        },
        move |p: Policy| navigate(&format!("/reclamation/policies/{}", p.id), Default::default()),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = Vec::new();
        let pool_id = pool.get_untracked().parse::<i64>().ok();
        if pool_id.is_none() {
            fields.push(FieldError::new("pool_id", "choose the pool the policy watches"));
        }
        let action = ReclaimAction::parse(&action.get_untracked()).unwrap_or(ReclaimAction::Reclaim);
        let base = kept.clone();
        let conditions = PolicyConditions {
            inactive_days: days(&inactive.get_untracked(), "conditions.inactive_days", &mut fields),
            never_used: never.get_untracked(),
            grace_days: days(&grace.get_untracked(), "conditions.grace_days", &mut fields).unwrap_or(0),
            max_data_age_days: days(&max_age.get_untracked(), "conditions.max_data_age_days", &mut fields).unwrap_or(7),
            statuses: base.as_ref().map(|b| b.statuses.clone()).unwrap_or_default(),
            department_ids: base.as_ref().map(|b| b.department_ids.clone()).unwrap_or_default(),
            exempt_department_ids: base.as_ref().map(|b| b.exempt_department_ids.clone()).unwrap_or_default(),
            exempt_person_ids: base.as_ref().map(|b| b.exempt_person_ids.clone()).unwrap_or_default(),
            exempt_vips: vips.get_untracked(),
        };
        let input = PolicyInput {
            name: name.get_untracked(),
            pool_id,
            product_id: None,
            action,
            target_pool_id: (action == ReclaimAction::Downgrade).then(|| target.get_untracked().parse().ok()).flatten(),
            conditions,
            ask_consent: false,
            needs_approval: approval.get_untracked(),
            enabled: enabled.get_untracked(),
        };
        saver.submit(if fields.is_empty() { Ok(input) } else { Err(fields) });
    };
    let error: Signal<Option<ApiError>> = saver.error.into();
    let actions = Signal::derive(|| {
        ReclaimAction::ALL.iter().map(|a| (a.as_str().to_string(), action_label(*a).to_string())).collect::<Vec<_>>()
    });
    view! {
        <form class="form panel" novalidate on:submit=submit>
            {move || error.get().filter(|e| e.fields().is_empty()).map(|e| view! { <ErrorBanner error=e/> })}
            <div class="form-grid">
                <TextField id="name" label="Name" value=name error=error class="span-2"/>
                <SelectField id="pool_id" label="Pool it watches" value=pool options=pool_options error=error placeholder="Choose a pool"/>
                <SelectField id="action" label="What it does" value=action options=actions error=error/>
                <Show when=move || action.get() == "downgrade">
                    <SelectField id="target_pool_id" label="Downgrade to" value=target options=pool_options error=error placeholder="Choose the cheaper pool"/>
                </Show>
                <TextField id="inactive_days" path="conditions.inactive_days" label="Days without a sign-in" value=inactive error=error
                    inputmode="numeric" hint="30, 60 or 90, say. Empty: not on inactivity."/>
                <div class="field checkbox">
                    <input id="never_used" type="checkbox" prop:checked=move || never.get() on:change=move |ev| never.set(event_target_checked(&ev))/>
                    <label for="never_used">"Also accounts that never signed in"</label>
                </div>
                <div class="field checkbox">
                    <input id="exempt_vips" type="checkbox" prop:checked=move || vips.get() on:change=move |ev| vips.set(event_target_checked(&ev))/>
                    <label for="exempt_vips">"Never select VIPs (marked in the HR or Snipe-IT users file)"</label>
                </div>
                <TextField id="grace_days" path="conditions.grace_days" label="New accounts keep the seat for (days)" value=grace error=error
                    inputmode="numeric" hint="From the start date: a new hire who has not signed in yet is left alone."/>
                <TextField id="max_data_age_days" path="conditions.max_data_age_days" label="Act only on usage data read within (days)" value=max_age
                    error=error inputmode="numeric" hint="Older data is reported in the dry run but never acted on."/>
                <div class="field checkbox">
                    <input id="needs_approval" type="checkbox" prop:checked=move || approval.get() on:change=move |ev| approval.set(event_target_checked(&ev))/>
                    <label for="needs_approval">"Send each run's batch to the approval queue"</label>
                </div>
                <div class="field checkbox">
                    <input id="enabled" type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev))/>
                    <label for="enabled">"Run it on the daily job"</label>
                </div>
            </div>
            {move || error.get().and_then(|e| e.field("conditions")).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>"Save policy"</button>
            </div>
        </form>
    }
}
