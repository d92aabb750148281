//! A request's rows as people read them (names for ids, the rows in error) and its preview per pool.

use std::collections::{BTreeMap, HashMap};

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{ChangeRequest, ChangeRequestInput, FieldError, OperationInput, PoolEffect};

use crate::components::MoneyText;
use crate::format;

use super::*;

#[component]
pub(super) fn Errors(errors: Vec<FieldError>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <section class="panel" aria-labelledby="errors-h">
                <h2 id="errors-h">{format!("Rows in error ({})", errors.len())}</h2>
                <div class="table-wrap" tabindex="0">
                    <table class="table" id="row-errors">
                        <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Field"</th><th scope="col">"Problem"</th></tr></thead>
                        <tbody>{errors.into_iter().map(|e| view! {
                            <tr><td class="num">{e.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}
                                {e.line.filter(|l| Some(*l) != e.row.map(|r| r + 1)).map(|l| view! { <div class="muted small">{format!("line {l}")}</div> })}</td>
                                <td><code>{e.path}</code></td><td>{e.message}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            </section>
        }
    })
}

#[component]
pub(super) fn PreviewTable(pools: Vec<PoolEffect>) -> impl IntoView {
    let seats = |n: Option<i64>| n.map(format::number).unwrap_or_else(|| "Unlimited".into());
    let percent = |n: Option<i64>| n.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into());
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="preview">
                <thead><tr>
                    <th scope="col">"Pool"</th><th scope="col" class="num">"Seats purchased"</th><th scope="col" class="num">"Seats assigned"</th>
                    <th scope="col" class="num">"Utilization"</th><th scope="col" class="num">"Annual cost"</th>
                </tr></thead>
                <tbody>{pools.into_iter().map(|e| view! {
                    <tr>
                        <td><A href=format!("/pools/{}", e.pool_id)>{e.pool_name.clone()}</A>
                            {e.retired.then(|| view! { " " <span class="badge badge-danger">"Retired"</span> })}</td>
                        <td class="num">{format!("{} → {}", seats(e.seats_purchased_before), seats(e.seats_purchased_after))}</td>
                        <td class="num">{format!("{} → {}", format::number(e.seats_assigned_before), format::number(e.seats_assigned_after))}</td>
                        <td class="num">{format!("{} → {}", percent(e.utilization_before), percent(e.utilization_after))}</td>
                        <td class="num"><MoneyText money=e.annual_cost_before.clone()/>" → "<MoneyText money=e.annual_cost_after.clone()/></td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

/// Names for the ids the operations use, with what an approver weighs about each person and seat.
#[derive(Clone, Default)]
pub(super) struct Names {
    people: HashMap<i64, String>,
    pools: HashMap<i64, String>,
    context: HashMap<i64, seatwise_types::PersonContext>,
    sign_ins: HashMap<(i64, i64), seatwise_types::SeatSignIn>,
}

impl Names {
    pub(super) fn of(r: &ChangeRequest) -> Self {
        Names {
            people: r.names.people.iter().map(|p| (p.id, p.name.clone())).collect(),
            pools: r.names.pools.iter().map(|p| (p.id, p.name.clone())).collect(),
            context: r.names.people_context.iter().map(|c| (c.id, c.clone())).collect(),
            sign_ins: r.names.sign_ins.iter().map(|s| ((s.pool_id, s.person_id), s.clone())).collect(),
        }
    }

    /// The person a row takes a seat from (or moves), and that seat: their status, department and last sign-in.
    fn context(&self, o: &OperationInput) -> Option<String> {
        let (person, pool) = match o.op.as_deref() {
            Some("unassign" | "assign") => (o.person_id?, o.pool_id),
            Some("reassign") => (o.from_person_id?, o.pool_id),
            Some("move") => (o.person_id?, o.from_pool_id),
            _ => return None,
        };
        let mut parts = Vec::new();
        if let Some(c) = self.context.get(&person) {
            parts.push(crate::components::status_label(c.status).to_string());
            parts.extend(c.department.clone());
        }
        match pool.and_then(|pool| self.sign_ins.get(&(pool, person))) {
            Some(s) => parts.push(match s.last_used_at {
                Some(at) => format!("last sign-in {} ({})", format::age(&at), s.source),
                None => format!("never signed in ({})", s.source),
            }),
            None if o.op.as_deref() != Some("assign") => parts.push("no sign-in data".into()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    pub(super) fn person(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.people.get(&id).cloned().unwrap_or_else(|| format!("person {id}")),
            None => "(no person)".into(),
        }
    }

    pub(super) fn pool(&self, id: Option<i64>) -> String {
        match id {
            Some(id) => self.pools.get(&id).cloned().unwrap_or_else(|| format!("pool {id}")),
            None => "(no pool)".into(),
        }
    }

    /// One operation as a sentence.
    fn describe(&self, o: &OperationInput) -> String {
        match o.op.as_deref() {
            Some("assign") => format!("Give {} a seat on {}", self.person(o.person_id), self.pool(o.pool_id)),
            Some("unassign") => format!("Take back {}'s seat on {}", self.person(o.person_id), self.pool(o.pool_id)),
            Some("reassign") => format!(
                "Hand {}'s seat on {} to {}",
                self.person(o.from_person_id),
                self.pool(o.pool_id),
                self.person(o.to_person_id)
            ),
            Some("move") => format!(
                "Move {} from {} to {}",
                self.person(o.person_id),
                self.pool(o.from_pool_id),
                self.pool(o.to_pool_id)
            ),
            Some("set_seats") => format!(
                "Set {} to {} seats purchased",
                self.pool(o.pool_id),
                o.seats_purchased.map(format::number).unwrap_or_else(|| "?".into())
            ),
            Some("retire_pool") => format!("Retire {}", self.pool(o.pool_id)),
            Some("restore_pool") => format!("Bring {} back into use", self.pool(o.pool_id)),
            Some(other) => format!("Unknown operation “{other}”"),
            None => "No operation given".into(),
        }
    }
}

/// Every row with what it does and its state; filtered by text, shown a hundred at a time.
#[component]
pub(super) fn Operations(
    request: ChangeRequest,
    names: Names,
    run: Callback<Act>,
    busy: Signal<bool>,
) -> impl IntoView {
    let r = request;
    let mut problems: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in &r.errors {
        if let Some(row) = e.row {
            problems.entry(row as usize).or_default().push(e.message.clone());
        }
    }
    let rows: Vec<(usize, String, Option<String>)> = r
        .operations
        .iter()
        .enumerate()
        .map(|(i, o)| (i + 1, names.describe(o), problems.get(&(i + 1)).map(|p| p.join("; "))))
        .collect();
    let context: HashMap<usize, String> =
        r.operations.iter().enumerate().filter_map(|(i, o)| names.context(o).map(|c| (i + 1, c))).collect();
    let total = rows.len();
    let filter = RwSignal::new(String::new());
    let shown = RwSignal::new(ROWS_SHOWN);
    let applied = r.applied_count as usize;
    let editable = r.actions.edit;
    let (title, reason, operations, execute_at) =
        (r.title.clone(), r.reason.clone(), r.operations.clone(), r.execute_at);
    let remove = Callback::new(move |row: usize| {
        let kept = operations.iter().enumerate().filter(|(i, _)| i + 1 != row).map(|(_, o)| o.clone()).collect();
        let input = ChangeRequestInput { title: title.clone(), reason: reason.clone(), operations: kept, execute_at };
        run.run(Act::Keep(input, 1));
    });
    let matching = move || {
        let f = filter.get().to_lowercase();
        rows.iter()
            .filter(|(_, text, problem)| {
                f.is_empty()
                    || text.to_lowercase().contains(&f)
                    || problem.as_ref().is_some_and(|p| p.to_lowercase().contains(&f))
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <section class="panel" aria-labelledby="ops-h">
            <div class="panel-head">
                <h2 id="ops-h">{format!("Operations ({})", format::number(total as i64))}</h2>
                <div class="filter">
                    <label for="ops-filter">"Filter rows"</label>
                    <input id="ops-filter" type="search" placeholder="Name, pool or problem…" prop:value=move || filter.get()
                        on:input=move |ev| { filter.set(event_target_value(&ev)); shown.set(ROWS_SHOWN); }/>
                </div>
            </div>
            {move || {
                let all = matching();
                let count = all.len();
                let limit = shown.get();
                view! {
                    <p class="row-count" aria-live="polite">{if count == total { format!("{} rows", format::number(total as i64)) } else {
                        format!("{} of {} rows match", format::number(count as i64), format::number(total as i64)) }}</p>
                    <div class="table-wrap" tabindex="0">
                        <table class="table" id="operations">
                            <thead><tr><th scope="col" class="num">"Row"</th><th scope="col">"Change"</th><th scope="col">"State"</th>
                                {editable.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}</tr></thead>
                            <tbody>{all.into_iter().take(limit).map(|(row, text, problem)| {
                                let state = match &problem {
                                    Some(p) => view! { <span class="badge badge-danger">"Error"</span><div class="small">{p.clone()}</div> }.into_any(),
                                    None if row <= applied => view! { <span class="badge badge-ok">"Applied"</span> }.into_any(),
                                    None => view! { <span class="badge badge-muted">"Pending"</span> }.into_any(),
                                };
                                let label = format!("Remove row {row}");
                                view! {
                                    <tr class:row-danger=problem.is_some()>
                                        <td class="num">{row}</td>
                                        <td>{text}{context.get(&row).map(|c| view! { <div class="muted small">{c.clone()}</div> })}</td>
                                        <td>{state}</td>
                                        {editable.then(|| view! { <td class="num"><button class="btn btn-small" type="button" aria-label=label
                                            disabled=move || busy.get() on:click=move |_| remove.run(row)>"Remove"</button></td> })}
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                    {(count > limit).then(|| view! {
                        <button class="btn" type="button" on:click=move |_| shown.update(|s| *s += ROWS_SHOWN)>
                            {format!("Show {} more", format::number((count - limit).min(ROWS_SHOWN) as i64))}</button>
                    })}
                }
            }}
        </section>
    }
}
