//! Pieces the renewal pages share: urgency badges, the usage table a decision needs, the decision form.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{
    money_totals, renews_on, Alert, DateKind, Decision, DecisionInput, Money, PoolSeats, PoolUsage, Term, Urgency,
    MISSED_CANCEL_BY_ADVICE,
};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::{DateText, FieldMessage, MoneyText, Utilization};
use crate::format;

pub fn urgency_class(u: Urgency) -> &'static str {
    match u {
        Urgency::Past => "badge badge-muted",
        Urgency::Critical => "badge badge-danger",
        Urgency::Soon => "badge badge-warn",
        Urgency::Upcoming => "badge badge-info",
        Urgency::Later => "badge badge-muted",
    }
}

/// "in 20 days", "today", "3 days ago".
pub fn days_text(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

/// Days to (or since) a date; a missed cancel-by date stays red once it has passed.
#[component]
pub fn DaysBadge(days: i64, urgency: Urgency, #[prop(optional)] missed: bool) -> impl IntoView {
    let class = if missed { "badge badge-danger" } else { urgency_class(urgency) };
    view! { <span class=class>{days_text(days)}</span> }
}

/// The contracts whose cancel-by date passed with no decision while they still renew themselves: the loudest
/// thing on the pages where renewals are decided. Shows nothing when there are none (or on an error: the page's
/// own list says more).
#[component]
pub fn MissedCancelBy() -> impl IntoView {
    let missed = LocalResource::new(|| async {
        let query = seatwise_types::AlertQuery { missed: Some(true), per_page: Some(20), ..Default::default() };
        api::alerts::list(&query).await
    });
    move || {
        missed.get().and_then(Result::ok).filter(|p| !p.items.is_empty()).map(|page| {
            view! {
                <section class="banner banner-error missed" aria-labelledby="missed-title">
                    <h2 id="missed-title" class="banner-title">
                        {if page.total == 1 { "A cancel-by date was missed".to_string() } else { format!("{} cancel-by dates were missed", page.total) }}
                    </h2>
                    <ul class="missed-list">
                        {page.items.into_iter().map(|a| {
                            let what = format!(
                                "{} ({}): cancel-by {} passed {} with no decision; it renews itself on {}.",
                                a.contract_title, a.vendor, format::date(&a.due_date), days_text(a.days_left),
                                format::date(&renews_on(a.end_date))
                            );
                            view! {
                                <li><span>{what}</span>" "
                                    <A href=format!("/alerts/{}", a.id) attr:class="btn btn-small">"Decide now"</A></li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="small">{MISSED_CANCEL_BY_ADVICE}</p>
                </section>
            }
        })
    }
}

/// "Cancel by · 30-day alert".
pub fn alert_label(a: &Alert) -> String {
    if a.missed {
        return format!("Cancel-by missed · renews {}", format::date(&renews_on(a.end_date)));
    }
    match (a.kind, a.stage_days) {
        (DateKind::Review, _) => "Quarterly review".into(),
        (kind, Some(s)) => format!("{} · {s}-day alert", kind.label()),
        (kind, None) => kind.label().to_string(),
    }
}

/// Covered pools with the figures a renewal decision needs.
#[component]
pub fn UsageTable(pools: Vec<PoolUsage>) -> impl IntoView {
    if pools.is_empty() {
        return view! { <p class="muted">"This contract covers no pools yet."</p> }.into_any();
    }
    let totals = money_totals(pools.iter().map(|p| &p.annual_cost));
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="usage">
                <thead><tr>
                    <th scope="col">"Pool"</th><th scope="col" class="minor">"Utilization"</th>
                    <th scope="col" class="num minor">"Held by leavers"</th><th scope="col" class="num minor">"On leave"</th>
                    <th scope="col" class="num">"No sign-in 90 days"</th><th scope="col" class="num">"Cost per year"</th>
                </tr></thead>
                <tbody>
                    {pools.into_iter().map(|p| view! {
                        <tr>
                            <td><A href=format!("/pools/{}", p.pool.id) attr:class="row-link">{p.pool.name.clone()}</A>
                                <div class="muted small">{format!("{} · {}", p.department.name,
                                    p.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "no owner".into()))}</div></td>
                            <td class="minor"><Utilization assigned=p.seats_assigned purchased=p.seats_purchased percent=p.utilization_percent/></td>
                            <td class={if p.held_by_terminated > 0 { "num warn minor" } else { "num minor" }}>{format::number(p.held_by_terminated)}</td>
                            <td class="num minor">{format::number(p.held_by_on_leave)}</td>
                            <td class={if p.held_by_inactive > 0 { "num warn" } else { "num" }}>{format::number(p.held_by_inactive)}</td>
                            <td class="num"><MoneyText money=p.annual_cost.clone()/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">"Total per year"</th><td class="minor" colspan="3"></td><td></td>
                    <td class="num">{totals.into_iter().map(|m| view! { <div><MoneyText money=m/></div> }).collect_view()}</td></tr></tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// The renewal history: every term with its price, seats and decision.
#[component]
pub fn TermsTable(terms: Vec<Term>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="terms">
                <thead><tr><th scope="col">"Term"</th><th scope="col">"From"</th><th scope="col">"To"</th>
                    <th scope="col" class="num">"Price"</th><th scope="col" class="num">"Seats"</th><th scope="col">"Tier"</th>
                    <th scope="col">"Decision"</th></tr></thead>
                <tbody>
                    {terms.into_iter().rev().map(|t| view! {
                        <tr>
                            <td>{t.seq}</td>
                            <td><DateText date=Some(t.start_date)/></td>
                            <td><DateText date=Some(t.end_date)/></td>
                            <td class="num">{t.price.clone().map(|m| view! { <MoneyText money=m/> }.into_any()).unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}</td>
                            <td class="num">{t.seats.map(format::number).unwrap_or_else(|| "—".into())}
                                {t.change_request_id.map(|cr| view! {
                                    <div class="small"><A href=format!("/changes/{cr}")>{format!("change request #{cr}")}</A></div>
                                })}</td>
                            <td>{t.tier.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{match t.decision {
                                Some(d) => view! {
                                    <span class="badge badge-muted">{d.label()}</span>
                                    <div class="muted small">{[t.decided_by.clone(), t.decision_comment.clone()].into_iter().flatten().collect::<Vec<_>>().join(" — ")}</div>
                                }.into_any(),
                                None => view! { <span class="muted">"Open"</span> }.into_any(),
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a renewal decision is recorded on: an alert, or a contract's current term directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionOf {
    Alert(i64),
    Contract(i64),
}

/// The decision form, recording on an alert or a contract.
#[component]
pub fn DecisionForm(
    of: DecisionOf,
    currency: String,
    auto_renew: bool,
    /// The covered pools the reader sees: with seat counts, renewing with changes sets each one's seats.
    pools: Vec<PoolUsage>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let choice = RwSignal::new(None::<Decision>);
    let comment = RwSignal::new(String::new());
    let seats = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    // Seats per covered pool with a seat count (a site licence has none to change), prefilled with today's.
    let pool_fields: Vec<(PoolUsage, RwSignal<String>)> = pools
        .into_iter()
        .filter_map(|p| p.seats_purchased.map(|n| (p, n)))
        .map(|(p, n)| (p, RwSignal::new(n.to_string())))
        .collect();
    let per_pool = !pool_fields.is_empty();
    let sent_pools = RwSignal::new(Vec::<i64>::new());
    let pool_values: Vec<(i64, i64, RwSignal<String>)> =
        pool_fields.iter().map(|(p, v)| (p.pool.id, p.seats_purchased.unwrap_or_default(), *v)).collect();
    let save = Action::new_local(move |input: &DecisionInput| {
        let input = input.clone();
        async move {
            match of {
                DecisionOf::Alert(id) => api::alerts::decide(id, &input).await.map(drop),
                DecisionOf::Contract(id) => api::contracts::decide(id, &input).await.map(drop),
            }
        }
    });
    let error: Signal<Option<ApiError>> = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_done.run(());
        }
    });
    let currency_for_submit = currency.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Some(decision) = choice.get_untracked() else {
            local_error.set(Some("Choose a decision.".into()));
            return;
        };
        let changes = decision == Decision::RenewWithChanges;
        let mut pool_seats = Vec::new();
        if changes {
            // Only the pools whose count changes: the others keep theirs.
            for (pool_id, today, value) in &pool_values {
                match value.get_untracked().trim().replace(',', "").parse::<i64>() {
                    Ok(n) if n == *today => {}
                    Ok(seats_purchased) => pool_seats.push(PoolSeats { pool_id: *pool_id, seats_purchased }),
                    Err(_) => {
                        local_error.set(Some("Each pool's seats must be a whole number.".into()));
                        return;
                    }
                }
            }
        }
        let seats_value = seats.get_untracked().trim().to_string();
        let seats_num = if changes && !per_pool && !seats_value.is_empty() {
            match seats_value.replace(',', "").parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    local_error.set(Some("Seats must be a whole number.".into()));
                    return;
                }
            }
        } else {
            None
        };
        let price_value = price.get_untracked();
        let price_minor = if changes && !price_value.trim().is_empty() {
            match format::parse_amount(&price_value, &currency_for_submit) {
                Some(m) => Some(Money::new(m, currency_for_submit.clone())),
                None => {
                    local_error.set(Some("The price must be an amount such as 12000.00.".into()));
                    return;
                }
            }
        } else {
            None
        };
        let tier_value = tier.get_untracked().trim().to_string();
        sent_pools.set(pool_seats.iter().map(|p| p.pool_id).collect());
        save.dispatch(DecisionInput {
            decision,
            comment: comment.get_untracked(),
            seats: seats_num,
            tier: (changes && !tier_value.is_empty()).then_some(tier_value),
            price: price_minor,
            pool_seats,
        });
    };
    let choices: Vec<Decision> =
        Decision::CHOICES.into_iter().filter(|d| !(auto_renew && *d == Decision::LetLapse)).collect();
    view! {
        <form class="form decision-form" on:submit=submit aria-labelledby="decision-h">
            <fieldset>
                <legend id="decision-h">"Decision"</legend>
                <div class="choices">
                    {choices.into_iter().map(|d| {
                        let id = format!("decision-{}", d.as_str());
                        let for_id = id.clone();
                        view! {
                            <label class="choice" for=for_id>
                                <input type="radio" name="decision" id=id value=d.as_str()
                                    prop:checked=move || choice.get() == Some(d)
                                    on:change=move |_| choice.set(Some(d))/>
                                <span>{d.label()}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
                <FieldMessage error=error path="decision"/>
            </fieldset>
            <Show when=move || choice.get() == Some(Decision::RenewWithChanges)>
                {per_pool.then(|| view! {
                    <fieldset class="pool-seats">
                        <legend>"Seats for the next term"</legend>
                        <p class="muted small">"A change of seats goes to the approval queue as a change request, applied when the next term starts once it is approved."</p>
                        {pool_fields.iter().map(|(p, value)| {
                            let (value, pool_id) = (*value, p.pool.id);
                            let (id, error_id) = (format!("d-pool-seats-{pool_id}"), format!("d-pool-seats-{pool_id}-error"));
                            // The server numbers the pools as sent (only those whose count changed).
                            let message = move || {
                                let sent = sent_pools.get().iter().position(|p| *p == pool_id)?;
                                let prefix = format!("pool_seats[{sent}].");
                                error.get().and_then(|e| e.fields().iter().find(|f| f.path.starts_with(&prefix)).map(|f| f.message.clone()))
                            };
                            // Measured use suggests a count (never below what has no usage data); offered, not forced.
                            let suggestion = match (p.right_size_seats, p.seats_purchased, p.right_size_saving_annual.clone()) {
                                (Some(to), Some(now), Some(saving)) if to < now => Some((to, saving)),
                                _ => None,
                            };
                            let hint_id = format!("d-pool-seats-{pool_id}-hint");
                            let described = if suggestion.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
                            view! {
                                <div class="field">
                                    <label for=id.clone()>{format!("{} (now {})", p.pool.name, p.seats_purchased.map(format::number).unwrap_or_default())}</label>
                                    <input id=id type="text" inputmode="numeric" aria-invalid=move || message().is_some().to_string()
                                        aria-describedby=described
                                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                                    {suggestion.map(|(to, saving)| view! {
                                        <p class="muted small right-size" id=hint_id>
                                            {format!("Measured use suggests {to} seats (active seats, those without usage data, and 10% room), saving {} a year. ", format::money(&saving))}
                                            <button class="btn btn-ghost btn-small" type="button" on:click=move |_| value.set(to.to_string())>
                                                {format!("Use {to}")}</button>
                                        </p>
                                    })}
                                    <p class="field-error" id=error_id>{move || message()}</p>
                                </div>
                            }
                        }).collect_view()}
                        <FieldMessage error=error path="pool_seats"/>
                    </fieldset>
                })}
                <div class="form-row">
                    {(!per_pool).then(|| view! { <TextField id="d-seats" label="Seats for the next term" value=seats error=error path="seats" inputmode="numeric"/> })}
                    <TextField id="d-tier" label="Tier" value=tier error=error path="tier"/>
                    <TextField id="d-price" label=format!("Price per term ({currency})") value=price error=error path="price.amount_minor"
                        inputmode="decimal"/>
                </div>
            </Show>
            <TextField id="d-comment" label="Comment" value=comment error=error path="comment" rows=3/>
            <div aria-live="polite">
                {move || local_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                {move || error.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="banner banner-error" role="alert">{e.message()}</div> })}
            </div>
            <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Recording…" } else { "Record decision" }}
            </button>
        </form>
    }
}
