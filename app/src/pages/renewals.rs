//! The renewal calendar: a month grid or an agenda of end and cancel-by dates, the value renewing in the next
//! 30/60/90 days, filters in the URL, and the user's calendar feed.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Calendar, CalendarDay, CalendarDayQuery, CalendarEvent, CalendarQuery, DateKind, Page};

use crate::api;
use crate::components::filters::FilterSelect;
use crate::components::list::{use_list_query, Changes, Pager};
use crate::components::renewal::{days_text, urgency_class};
use crate::components::shell::Shell;
use crate::components::{DateText, Loaded, MoneyText};
use crate::format;
use crate::session::use_session;

/// `day` (and its `page`) opens one day's full list below the grid.
const KEYS: [&str; 8] = ["view", "month", "department_id", "owner_id", "vendor_id", "cost_centre_id", "day", "page"];

fn month_start(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()
}

fn shift(d: NaiveDate, months: i32) -> NaiveDate {
    if months >= 0 {
        d.checked_add_months(Months::new(months as u32)).unwrap_or(d)
    } else {
        d.checked_sub_months(Months::new(months.unsigned_abs())).unwrap_or(d)
    }
}

fn plural(n: i64, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn event_label(e: &CalendarEvent) -> String {
    let what = match e.kind {
        DateKind::CancelBy => "Cancel by",
        DateKind::End => "Ends",
        DateKind::Review => "Review",
    };
    format!("{what}: {}", e.title)
}

#[component]
pub fn RenewalsPage() -> impl IntoView {
    let list = use_list_query("/renewals", &KEYS);
    let (update, param) = (list.update, move |k: &str| list.param(k));
    let session = use_session();
    let can_record = move || session.can().record_contracts;
    let agenda = move || param("view") == "agenda";
    let calendar = LocalResource::new(move || {
        let (month, agenda) = (month_start(&param("month")), agenda());
        // The filters are the API's own parameters; `view` and `month` are this page's and become `from`/`to`.
        let query = list.api_query::<CalendarQuery>().map(|q| match month {
            Some(first) => {
                let months = if agenda { 3 } else { 1 };
                let last = shift(first, months).pred_opt().unwrap_or(first);
                CalendarQuery { from: Some(first), to: Some(last), ..q }
            }
            None => q,
        });
        async move { api::calendar::get(&query?).await }
    });
    let lookups = LocalResource::new(api::catalog::lookups);
    let shown_month = move || {
        month_start(&param("month")).or_else(|| calendar.get().and_then(Result::ok).map(|c| c.from)).unwrap_or_default()
    };
    let go = move |months: i32| {
        let target = shift(shown_month(), months);
        update.run(vec![("month", target.format("%Y-%m").to_string()), ("day", String::new())]);
    };
    let day = move || NaiveDate::parse_from_str(&param("day"), "%Y-%m-%d").ok();
    let day_list = LocalResource::new(move || {
        let query = day().map(|date| {
            let page = param("page").parse().ok();
            list.api_query::<CalendarQuery>().map(|q| CalendarDayQuery {
                date,
                vendor_id: q.vendor_id,
                department_id: q.department_id,
                cost_centre_id: q.cost_centre_id,
                owner_id: q.owner_id,
                page,
                per_page: None,
            })
        });
        async move {
            match query {
                Some(q) => {
                    let q = q?;
                    Ok(Some((q.date, api::calendar::day(&q).await?)))
                }
                None => Ok(None),
            }
        }
    });
    view! {
        <Shell title="Renewals">
            <div class="page-head">
                <div>
                    <h1>"Renewal calendar"</h1>
                    <p class="muted">"End dates and the last day to cancel. Colours show how close each date is."</p>
                </div>
                <div class="button-row">
                    <A href="/contracts" attr:class="btn">"All contracts"</A>
                    <A href="/alerts" attr:class="btn">"Alerts inbox"</A>
                    <Show when=can_record>
                        <A href="/contracts/new" attr:class="btn btn-primary">"New contract"</A>
                    </Show>
                </div>
            </div>
            {move || calendar.get().and_then(Result::ok).map(|c| view! { <Pipeline calendar=c/> })}
            <section class="filters" aria-label="Filters">
                {move || lookups.get().and_then(Result::ok).map(|l| {
                    let vendors: Vec<(String, String)> = l.vendors.iter().map(|v| (v.id.to_string(), v.name.clone())).collect();
                    let departments: Vec<(String, String)> = l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                    let cost_centres: Vec<(String, String)> = l.cost_centres.iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect();
                    let owners: Vec<(String, String)> = l.owners.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
                    view! {
                        <FilterSelect id="c-department" label="Department" key="department_id" options=departments update=update/>
                        <FilterSelect id="c-owner" label="Owner" key="owner_id" options=owners update=update/>
                        <FilterSelect id="c-vendor" label="Vendor" key="vendor_id" options=vendors update=update/>
                        <FilterSelect id="c-cost-centre" label="Cost centre" key="cost_centre_id" options=cost_centres update=update/>
                    }
                })}
            </section>
            <div class="cal-toolbar">
                <div class="segmented" role="group" aria-label="View">
                    <button type="button" class="btn" aria-pressed=move || (!agenda()).to_string()
                        on:click=move |_| update.run(vec![("view", String::new())])>"Month"</button>
                    <button type="button" class="btn" aria-pressed=move || agenda().to_string()
                        on:click=move |_| update.run(vec![("view", "agenda".into())])>"Agenda"</button>
                </div>
                <div class="cal-nav">
                    <button type="button" class="btn" on:click=move |_| go(-1) aria-label="Previous month">"←"</button>
                    <h2 class="cal-title" aria-live="polite">{move || {
                        let m = shown_month();
                        if agenda() {
                            format!("{} – {}", m.format("%B %Y"), shift(m, 2).format("%B %Y"))
                        } else {
                            m.format("%B %Y").to_string()
                        }
                    }}</h2>
                    <button type="button" class="btn" on:click=move |_| go(1) aria-label="Next month">"→"</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| update.run(vec![("month", String::new()), ("day", String::new())])>"Today"</button>
                </div>
            </div>
            <Loaded resource=calendar let:c>
                {if agenda() {
                    view! { <Agenda calendar=c update=update/> }.into_any()
                } else {
                    view! { <MonthGrid calendar=c month=shown_month() update=update/> }.into_any()
                }}
            </Loaded>
            <Loaded resource=day_list let:page>
                {page.map(|(date, page)| view! { <DayList date=date page=page update=update/> })}
            </Loaded>
            <FeedPanel/>
        </Shell>
    }
}

#[component]
fn Pipeline(calendar: Calendar) -> impl IntoView {
    view! {
        <section class="cards" aria-label="Renewing soon">
            {calendar.pipeline.into_iter().map(|b| view! {
                <div class="card stat">
                    <span class="stat-label">{format!("Next {} days", b.within_days)}</span>
                    <span class="stat-value">
                        {if b.value.is_empty() { view! { <span>"—"</span> }.into_any() } else {
                            b.value.into_iter().map(|m| view! { <div><MoneyText money=m/></div> }).collect_view().into_any()
                        }}
                    </span>
                    <span class="muted">{format!("{} contract{} to decide", b.contracts, if b.contracts == 1 { "" } else { "s" })}</span>
                </div>
            }).collect_view()}
        </section>
    }
}

#[component]
fn EventChip(event: CalendarEvent) -> impl IntoView {
    let class = format!("chip chip-{}", event.urgency.as_str());
    let title = format!(
        "{} · {} · {} ({})",
        event_label(&event),
        event.vendor,
        event.contract_number,
        days_text(event.days_left)
    );
    view! {
        <A href=format!("/contracts/{}", event.contract_id) attr:class=class attr:title=title
            attr:data-kind=event.kind.as_str() attr:data-contract=event.contract_id.to_string()>
            <span class="chip-kind">{match event.kind { DateKind::CancelBy => "Cancel by", DateKind::End => "Ends", DateKind::Review => "Review" }}</span>
            <span class="chip-title">{event.title.clone()}</span>
        </A>
    }
}

/// "+N more" on a day that has more dates than the calendar carries: opens the day's full list.
#[component]
fn MoreButton(day: CalendarDay, update: Callback<Changes>) -> impl IntoView {
    let hidden = day.total - day.events.len() as i64;
    (hidden > 0).then(|| {
        let label = format!("All {} on {}", plural(day.total, "date"), format::date(&day.date));
        let date = day.date.to_string();
        view! {
            <button type="button" class="btn btn-ghost more" aria-label=label
                on:click=move |_| update.run(vec![("day", date.clone())])>{format!("+{hidden} more")}</button>
        }
    })
}

#[component]
fn MonthGrid(calendar: Calendar, month: NaiveDate, update: Callback<Changes>) -> impl IntoView {
    let first = month.with_day(1).unwrap_or(month);
    let lead = first.weekday().num_days_from_monday() as u64;
    let start = first.checked_sub_days(Days::new(lead)).unwrap_or(first);
    let next_month = shift(first, 1);
    let mut weeks: Vec<Vec<NaiveDate>> = Vec::new();
    let mut day = start;
    while day < next_month || day.weekday() != Weekday::Mon {
        if day.weekday() == Weekday::Mon {
            weeks.push(Vec::new());
        }
        if let Some(w) = weeks.last_mut() {
            w.push(day);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    let today = calendar.today;
    let days = calendar.days;
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="month" id="month-grid" aria-label=first.format("%B %Y").to_string()>
                <thead><tr>{["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].into_iter().map(|d| view! { <th scope="col">{d}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|d| {
                                let mut class = String::from("day");
                                if d.month() != first.month() { class.push_str(" other-month"); }
                                if d == today { class.push_str(" today"); }
                                let this = days.iter().find(|x| x.date == d).cloned();
                                let label = format!("{}{}", format::date(&d),
                                    this.as_ref().map(|x| format!(", {}", plural(x.total, "date"))).unwrap_or_default());
                                view! {
                                    <td class=class data-date=d.to_string() aria-label=label>
                                        <time class="day-number" datetime=d.to_string()>{d.day()}</time>
                                        {this.map(|x| view! {
                                            {x.events.clone().into_iter().map(|e| view! { <EventChip event=e/> }).collect_view()}
                                            <MoreButton day=x update=update/>
                                        })}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted small phone-only">"Each mark is a date: red to decide now, amber soon, blue later. Agenda lists them by name."</p>
    }
}

#[component]
fn AgendaItem(event: CalendarEvent) -> impl IntoView {
    let value = event.value.clone();
    let label = event_label(&event);
    view! {
        <li class="agenda-item">
            <span class=urgency_class(event.urgency)>{days_text(event.days_left)}</span>
            <A href=format!("/contracts/{}", event.contract_id)>{label}</A>
            <span class="muted">{format!("{} · {}", event.vendor, event.contract_number)}</span>
            {value.map(|m| view! { <span class="agenda-value"><MoneyText money=m/></span> })}
        </li>
    }
}

#[component]
fn Agenda(calendar: Calendar, update: Callback<Changes>) -> impl IntoView {
    if calendar.days.is_empty() {
        return view! { <p class="muted">"No end or cancel-by dates in these months."</p> }.into_any();
    }
    view! {
        <ol class="agenda" id="agenda">
            {calendar.days.into_iter().map(|day| view! {
                <li class="agenda-day">
                    <h3><DateText date=Some(day.date)/></h3>
                    <ul class="plain">
                        {day.events.clone().into_iter().map(|e| view! { <AgendaItem event=e/> }).collect_view()}
                    </ul>
                    <MoreButton day=day update=update/>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// One day's dates in full, paged, below the grid or agenda; closing it clears `day` from the address.
#[component]
fn DayList(date: NaiveDate, page: Page<CalendarEvent>, update: Callback<Changes>) -> impl IntoView {
    let pages = page.page_count();
    let current = page.page;
    view! {
        <section class="panel" id="day-list" aria-labelledby="day-list-h">
            <div class="page-head">
                <h2 id="day-list-h">{format!("{} on {}", plural(page.total, "date"), format::date(&date))}</h2>
                <button type="button" class="btn" on:click=move |_| update.run(vec![("day", String::new())])>"Close"</button>
            </div>
            <ul class="plain">
                {page.items.into_iter().map(|e| view! { <AgendaItem event=e/> }).collect_view()}
            </ul>
            {(pages > 1).then(|| view! { <Pager current=current pages=pages update=update/> })}
        </section>
    }
}

/// The user's subscription address for Outlook, Google Calendar or Apple Calendar.
#[component]
fn FeedPanel() -> impl IntoView {
    let status = LocalResource::new(api::calendar::feed);
    let create = Action::new_local(|_: &()| api::calendar::create_feed());
    let revoke = Action::new_local(|_: &()| api::calendar::revoke_feed());
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            create.value().set(None);
            status.refetch();
        }
    });
    let url = move || create.value().get().and_then(Result::ok).and_then(|f| f.url);
    let active = move || {
        url().is_some()
            || (revoke.value().get().is_none() && status.get().and_then(Result::ok).is_some_and(|s| s.active))
    };
    view! {
        <section class="panel" aria-labelledby="feed-h">
            <h2 id="feed-h">"Subscribe in your calendar"</h2>
            <p class="muted">"End and cancel-by dates of the contracts you own or watch, in Outlook, Google Calendar or Apple Calendar. The address is secret: anyone with it can read these dates."</p>
            {move || url().map(|u| view! {
                <div class="field">
                    <label for="feed-url">"Your feed address (shown once)"</label>
                    <input id="feed-url" readonly value=u.clone() on:focus=move |ev| {
                        if let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                            input.select();
                        }
                    }/>
                </div>
            })}
            <div class="button-row">
                <button class="btn" type="button" id="feed-create" disabled=move || create.pending().get()
                    on:click=move |_| { create.dispatch(()); }>
                    {move || if active() { "Replace the address" } else { "Create a feed address" }}
                </button>
                <Show when=active>
                    <button class="btn btn-danger" type="button" disabled=move || revoke.pending().get()
                        on:click=move |_| { revoke.dispatch(()); }>"Turn the feed off"</button>
                </Show>
            </div>
        </section>
    }
}
