//! Consent campaigns and access reviews: the list, one campaign's counts (overall and per department, the response
//! rate and the saving so far) with its record for auditors, and the form that starts one from a policy.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    Campaign, CampaignAsk, CampaignCounts, CampaignInput, CampaignQuery, FieldError, KeepConfirmer, NoAnswer,
};

use crate::api::{self, ApiError};
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::selection::Selection;
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded, MoneyText};
use crate::format;
use crate::pages::reclamation::ReclamationTabs;
use crate::pages::record_id;

fn asks_text(ask: CampaignAsk) -> &'static str {
    match ask {
        CampaignAsk::Holder => "Holders",
        CampaignAsk::Manager => "Managers (access review)",
        CampaignAsk::Owner => "Pool owners (access review)",
    }
}

fn state_badge(c: &Campaign) -> impl IntoView {
    match c.closed_at {
        Some(_) => view! { <span class="badge badge-muted">"Closed"</span> }.into_any(),
        None => view! { <span class="badge badge-warn">"Open"</span> }.into_any(),
    }
}

fn monthly(c: &Campaign) -> AnyView {
    match c.saving.monthly.first() {
        Some(m) => view! { <MoneyText money=m.clone()/> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let campaigns = LocalResource::new(|| async {
        api::campaigns::campaigns(&CampaignQuery { per_page: Some(100), ..Default::default() }).await
    });
    view! {
        <Shell title="Campaigns">
            <div class="page-head"><div>
                <h1>"Campaigns"</h1>
                <p class="muted">"Ask the people who hold seats (or their managers) before taking seats back. Start one from a policy's page."</p>
            </div></div>
            <ReclamationTabs current="/reclamation/campaigns"/>
            <Loaded resource=campaigns let:page>
                {if page.items.is_empty() {
                    view! { <EmptyState title="No campaigns yet">"Open a policy and choose “Ask holders first” to ask the people its dry run selects."</EmptyState> }.into_any()
                } else {
                    view! {
                        <p class="row-count">{format!("{} campaign{}", page.total, if page.total == 1 { "" } else { "s" })}</p>
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="campaigns">
                                <thead><tr>
                                    <th scope="col">"Campaign"</th><th scope="col">"Asks"</th><th scope="col">"Deadline"</th>
                                    <th scope="col" class="num">"Asked"</th><th scope="col" class="num">"Answered"</th>
                                    <th scope="col" class="num">"Kept"</th><th scope="col" class="num">"Released"</th>
                                    <th scope="col" class="num">"Reclaimed"</th><th scope="col" class="num">"Waiting"</th>
                                    <th scope="col" class="num">"Saving a month"</th><th scope="col">"State"</th>
                                </tr></thead>
                                <tbody>{page.items.into_iter().map(|c| {
                                    let (saving, badge, name) = (monthly(&c), state_badge(&c), c.name.clone());
                                    view! {
                                    <tr>
                                        <td><A href=format!("/reclamation/campaigns/{}", c.id) attr:class="row-link">{name}</A></td>
                                        <td>{asks_text(c.ask)}</td>
                                        <td>{format::date(&c.deadline)}</td>
                                        <td class="num">{format::number(c.counts.asked)}</td>
                                        <td class="num">{format!("{}%", c.response_rate_percent)}</td>
                                        <td class="num">{format::number(c.counts.kept)}</td>
                                        <td class="num">{format::number(c.counts.released)}</td>
                                        <td class="num">{format::number(c.counts.reclaimed)}</td>
                                        <td class="num">{format::number(c.counts.waiting + c.counts.with_owner)}</td>
                                        <td class="num">{saving}</td>
                                        <td>{badge}</td>
                                    </tr>
                                }}).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}

fn stat(label: &'static str, value: String) -> impl IntoView {
    view! { <div class="card stat"><span class="stat-label">{label}</span><span class="stat-value">{value}</span></div> }
}

fn count_cells(c: &CampaignCounts, rate: i64) -> impl IntoView {
    view! {
        <td class="num">{format::number(c.asked)}</td>
        <td class="num">{format!("{rate}%")}</td>
        <td class="num">{format::number(c.kept)}</td>
        <td class="num">{format::number(c.released)}</td>
        <td class="num">{format::number(c.reclaimed)}</td>
        <td class="num">{format::number(c.waiting)}</td>
        <td class="num">{format::number(c.with_owner)}</td>
        <td class="num">{format::number(c.cancelled)}</td>
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || record_id(params.with(|p| p.get("id")));
    let campaign = LocalResource::new(move || {
        let id = id();
        async move { api::campaigns::campaign(id?).await }
    });
    view! {
        <Shell title="Campaign">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/reclamation/campaigns">"Campaigns"</A><span aria-hidden="true">" / "</span><span>"Campaign"</span></nav>
            <h1 class="page-title">{move || campaign.get().and_then(Result::ok).map_or_else(|| "Campaign".to_string(), |c| c.name)}</h1>
            <Loaded resource=campaign let:c>
                <p class="muted">{format!(
                    "Asks: {} · answers until the end of {} · {} · started by {} on {}",
                    asks_text(c.ask).to_lowercase(), format::date(&c.deadline),
                    match c.no_answer { NoAnswer::Reclaim => "no answer: taken back", NoAnswer::OwnerDecides => "no answer: the owner decides" },
                    c.created_by, format::datetime(&c.created_at))}</p>
                <div class="cards">
                    {stat("Asked", format::number(c.counts.asked))}
                    {stat("Response rate", format!("{}%", c.response_rate_percent))}
                    {stat("Kept", format::number(c.counts.kept))}
                    {stat("Released", format::number(c.counts.released))}
                    {stat("Reclaimed at the deadline", format::number(c.counts.reclaimed))}
                    {stat("Waiting for an answer", format::number(c.counts.waiting))}
                    {stat("Waiting for the owner", format::number(c.counts.with_owner))}
                    <div class="card stat"><span class="stat-label">"Saving so far, a month"</span><span class="stat-value">{monthly(&c)}</span></div>
                </div>
                <div class="button-row section-end">
                    <A href=format!("/reclamation/cases?campaign_id={}", c.id) attr:class="btn">"Its seats, one by one"</A>
                    <a class="btn" href=api::campaigns::record_csv_url(c.id) download="">"Download the record (CSV)"</a>
                </div>
                <h2>"By department"</h2>
                <div class="table-wrap" tabindex="0">
                    <table class="table" id="campaign-departments">
                        <thead><tr>
                            <th scope="col">"Department"</th><th scope="col" class="num">"Asked"</th><th scope="col" class="num">"Answered"</th>
                            <th scope="col" class="num">"Kept"</th><th scope="col" class="num">"Released"</th><th scope="col" class="num">"Reclaimed"</th>
                            <th scope="col" class="num">"Waiting"</th><th scope="col" class="num">"With owner"</th><th scope="col" class="num">"Cancelled"</th>
                        </tr></thead>
                        <tbody>{c.by_department.iter().map(|d| view! {
                            <tr><th scope="row">{d.department.clone()}</th>{count_cells(&d.counts, d.response_rate_percent)}</tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            </Loaded>
        </Shell>
    }
}

/// What a campaign asks about: the seats a policy selects now, or the chosen holders' seats of one pool.
#[derive(Clone, Copy)]
pub enum Asked {
    Policy(i64),
    Holders { pool_id: i64, chosen: Selection },
}

/// The form that asks the holders of some seats (or their managers, or the pools' owners) before taking them back.
#[component]
pub fn StartCampaign(
    asked: Asked,
    /// The campaign's name until changed.
    #[prop(into)]
    name: String,
    /// The summary's words after "Ask holders first".
    summary: &'static str,
) -> impl IntoView {
    let policy_name = name;
    let navigate = use_navigate();
    let today = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).map(|t| t.date_naive());
    let name = RwSignal::new(policy_name);
    let deadline = RwSignal::new(today.map(|d| (d + chrono::Duration::days(14)).to_string()).unwrap_or_default());
    let reminder = RwSignal::new("3".to_string());
    let ask = RwSignal::new("holder".to_string());
    let no_answer = RwSignal::new("owner_decides".to_string());
    let confirmer = RwSignal::new(String::new());
    let cooldown = RwSignal::new("90".to_string());
    let saver = Saver::new(
        |input: CampaignInput| async move { api::campaigns::start(&input).await },
        move |c: Campaign| navigate(&format!("/reclamation/campaigns/{}", c.id), Default::default()),
    );
    let err: Signal<Option<ApiError>> = saver.error.into();
    let build = move || -> Result<CampaignInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |path: &str, v: String| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| errors.push(FieldError::new(path, "must be a whole number of days")))
                .ok()
        };
        let reminder_days_before = number("reminder_days_before", reminder.get_untracked());
        let cooldown_days = number("cooldown_days", cooldown.get_untracked());
        let deadline = deadline.get_untracked().parse::<chrono::NaiveDate>();
        if deadline.is_err() {
            errors.push(FieldError::new("deadline", "choose the last day to answer"));
        }
        match (deadline, reminder_days_before, cooldown_days) {
            (Ok(deadline), Some(reminder_days_before), Some(cooldown_days)) if errors.is_empty() => Ok(CampaignInput {
                name: name.get_untracked(),
                policy_id: match asked {
                    Asked::Policy(id) => Some(id),
                    Asked::Holders { .. } => None,
                },
                assignment_ids: None,
                person_ids: match asked {
                    Asked::Holders { chosen, .. } => Some(chosen.ids()),
                    Asked::Policy(_) => None,
                },
                pool_id: match asked {
                    Asked::Holders { pool_id, .. } => Some(pool_id),
                    Asked::Policy(_) => None,
                },
                deadline,
                reminder_days_before,
                no_answer: NoAnswer::parse(&no_answer.get_untracked()).unwrap_or_default(),
                ask: CampaignAsk::parse(&ask.get_untracked()).unwrap_or_default(),
                keep_confirmed_by: KeepConfirmer::parse(&confirmer.get_untracked()),
                cooldown_days,
            }),
            _ => Err(errors),
        }
    };
    let asks = vec![
        ("holder".to_string(), "Each seat's holder".to_string()),
        ("manager".to_string(), "The holder's manager (access review)".to_string()),
        ("owner".to_string(), "The pool's owner (access review)".to_string()),
    ];
    let silences = vec![
        ("owner_decides".to_string(), "The pool's owner decides".to_string()),
        ("reclaim".to_string(), "Take the seat back".to_string()),
    ];
    let confirmers = vec![
        (String::new(), "Nobody: Keep closes the case".to_string()),
        ("manager".to_string(), "The holder's manager".to_string()),
        ("owner".to_string(), "The pool's owner".to_string()),
    ];
    view! {
        <details class="panel start-campaign">
            <summary><strong>"Ask holders first"</strong>{format!(" — a consent campaign or an access review over {summary}")}</summary>
            <form class="form-grid" novalidate on:submit=move |ev| { ev.prevent_default(); saver.submit(build()); }>
                <TextField id="campaign-name" path="name" label="Name" value=name error=err required=true class="span-2"/>
                <SelectField id="campaign-ask" path="ask" label="Who is asked" value=ask options=asks error=err/>
                <TextField id="campaign-deadline" path="deadline" label="Last day to answer" value=deadline error=err kind="date" required=true/>
                <TextField id="campaign-reminder" path="reminder_days_before" label="Reminder, days before" value=reminder error=err
                    inputmode="numeric" hint="0 sends none"/>
                <SelectField id="campaign-no-answer" path="no_answer" label="Without an answer" value=no_answer options=silences error=err/>
                <Show when=move || ask.get() == "holder">
                    <SelectField id="campaign-confirmer" path="keep_confirmed_by" label="A Keep is confirmed by" value=confirmer
                        options=confirmers.clone() error=err/>
                </Show>
                <TextField id="campaign-cooldown" path="cooldown_days" label="Do not ask again after a Keep for (days)" value=cooldown
                    error=err inputmode="numeric"/>
                {move || err.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="span-2"><crate::components::ErrorBanner error=e/></div> })}
                <div class="button-row span-2">
                    <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>
                        {move || if saver.save.pending().get() { "Sending…" } else { "Send the questions" }}
                    </button>
                    <span class="muted small">"Each person gets one e-mail listing their seats. Nothing is taken back until they answer or the deadline passes."</span>
                </div>
            </form>
        </details>
    }
}
