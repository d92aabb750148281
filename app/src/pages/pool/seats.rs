//! A pool's seats: the list with its filters and last use, choosing seats, and taking them back or moving them.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Assignment, OperationInput, Page, SeatQuery, SeatUse};

use crate::api;
use crate::components::confirm::ConfirmButton;
use crate::components::filters::{FilterSelect, FilterToggle, SearchBox, SortHeaders};
use crate::components::list::{use_list_query, ListQuery, Pager};
use crate::components::selection::{
    chosen_pool, BulkRequestBar, OperationChoice, PoolSelect, SelectAllHeader, SelectCell, Selection,
};
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded, StatusBadge};
use crate::format;
use crate::pages::campaigns::{Asked, StartCampaign};

use super::*;

/// Chosen seats (by holder) into a change request: take them back, or move their holders to another pool.
#[component]
pub(super) fn SeatBulkBar(chosen: Selection, pool_id: i64, pool_name: String) -> impl IntoView {
    let op = RwSignal::new("unassign".to_string());
    let target = RwSignal::new(String::new());
    let campaign_name = format!("{pool_name}: still needed?");
    let build = Callback::new(move |_| {
        let people = chosen.ids();
        let n = people.len();
        let seats = format!("{n} seat{}", if n == 1 { "" } else { "s" });
        match op.get_untracked().as_str() {
            "move" => {
                let to = chosen_pool(&target)?;
                let ops = people
                    .into_iter()
                    .map(|person| OperationInput {
                        op: Some("move".into()),
                        from_pool_id: Some(pool_id),
                        to_pool_id: Some(to),
                        person_id: Some(person),
                        ..Default::default()
                    })
                    .collect();
                Ok((format!("Move {seats} from {pool_name}"), ops))
            }
            _ => {
                let ops = people
                    .into_iter()
                    .map(|person| OperationInput {
                        op: Some("unassign".into()),
                        pool_id: Some(pool_id),
                        person_id: Some(person),
                        ..Default::default()
                    })
                    .collect();
                Ok((format!("Take back {seats} on {pool_name}"), ops))
            }
        }
    });
    let session = crate::session::use_session();
    view! {
        <BulkRequestBar selection=chosen noun="seats" one="seat" operations=build>
            <OperationChoice value=op choices=&[("unassign", "Take the seats back"), ("move", "Move the holders to another pool")]/>
            <Show when=move || op.get() == "move">
                <PoolSelect id="bulk-target" label="To pool" value=target except=pool_id/>
            </Show>
        </BulkRequestBar>
        <Show when=move || chosen.count() != 0 && session.can().manage_reclamation>
            <StartCampaign asked=Asked::Holders { pool_id, chosen } name=campaign_name.clone() summary="the chosen seats"/>
        </Show>
    }
}

/// The seat list's state in the address: the API's own parameters.
pub(super) const SEAT_KEYS: [&str; 6] = ["q", "status", "no_signin_days", "no_usage_data", "sort", "page"];
pub(super) const SEATS_PER_PAGE: i64 = 50;
pub(super) const SEAT_COLUMNS: &[(&str, &str, bool)] = &[
    ("name", "Holder", false),
    ("", "Department", false),
    ("", "Status", false),
    ("last_sign_in", "Last sign-in", false),
    ("assigned_at", "Assigned", false),
    ("", "By", false),
];

/// A pool's seats, a page at a time, searched and filtered, with each holder's last sign-in.
#[component]
pub(super) fn SeatList(
    pool_id: i64,
    can_edit: bool,
    can_take_back: bool,
    actions: SeatActions,
    /// Rows can be chosen for a change request.
    chosen: Option<Selection>,
) -> impl IntoView {
    let list = use_list_query(format!("/pools/{pool_id}"), &SEAT_KEYS);
    let update = list.update;
    let seats = LocalResource::new(move || {
        let query = list.api_query::<SeatQuery>();
        async move { api::pools::seats(pool_id, &SeatQuery { per_page: Some(SEATS_PER_PAGE), ..query? }).await }
    });
    let statuses = vec![
        ("active".into(), "Active".into()),
        ("on_leave".into(), "On leave".into()),
        ("terminated".into(), "Terminated".into()),
    ];
    let idle = vec![("30".into(), "30 days".into()), ("60".into(), "60 days".into()), ("90".into(), "90 days".into())];
    view! {
        <section class="filters" aria-label="Seat filters">
            <SearchBox id="seat-q" label="Search seats" placeholder="Search name or email…" update=update/>
            <FilterSelect id="seat-status" label="Status" key="status" options=statuses update=update/>
            <FilterSelect id="seat-signin" label="No sign-in for" key="no_signin_days" options=idle update=update/>
            <FilterToggle id="seat-nodata" label="No usage data" key="no_usage_data" update=update/>
        </section>
        <Loaded resource=seats let:page>
            {if page.items.is_empty() {
                if list.filtered() {
                    view! { <EmptyState title="No seat matches">"Try fewer filters or a different search."</EmptyState> }.into_any()
                } else {
                    view! { <p class="muted">"Nobody holds a seat in this pool."</p> }.into_any()
                }
            } else {
                view! { <SeatTable page=page list=list pool_id=pool_id can_edit=can_edit can_take_back=can_take_back actions=actions chosen=chosen/> }.into_any()
            }}
        </Loaded>
    }
}

/// When a seat was last used, as people say it, and the source and exact time on hover.
pub(super) fn last_use(seat: &Option<SeatUse>) -> (String, String) {
    match seat {
        None => ("No data".into(), "No usage source reports on this seat.".into()),
        Some(SeatUse { at: None, source }) => ("Never".into(), format!("{source} knows the account; never used")),
        Some(SeatUse { at: Some(at), source }) => {
            (format!("{} ago", format::age(at)), format!("{source}: {}", at.to_rfc3339()))
        }
    }
}

/// "Choose all N matching": the holders of every seat the filters match, on every page.
#[component]
pub(super) fn ChooseAllMatching(pool_id: i64, total: i64, list: ListQuery, chosen: Selection) -> impl IntoView {
    let fetch = Action::new_local(move |query: &SeatQuery| {
        let query = query.clone();
        async move { api::pools::seat_holders(pool_id, &query).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(h)) = fetch.value().get() {
            chosen.add_all(h.person_ids);
        }
    });
    let choose = move |_| {
        if let Ok(query) = untrack(|| list.api_query::<SeatQuery>()) {
            fetch.dispatch(SeatQuery { page: None, per_page: None, sort: None, ..query });
        }
    };
    view! {
        <div class="choose-all">
            <button class="btn btn-small" type="button" on:click=choose disabled=move || fetch.pending().get()>
                {format!("Choose all {} matching", format::number(total))}
            </button>
            {move || match fetch.value().get() {
                Some(Ok(h)) if h.devices > 0 => Some(view! {
                    <span class="muted small">{format!("{} device seat{} left out: a change request names people.", h.devices, if h.devices == 1 { " is" } else { "s are" })}</span>
                }.into_any()),
                Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                _ => None,
            }}
        </div>
    }
}

#[component]
pub(super) fn SeatTable(
    page: Page<Assignment>,
    list: ListQuery,
    can_edit: bool,
    can_take_back: bool,
    pool_id: i64,
    actions: SeatActions,
    /// Rows can be chosen for a change request.
    chosen: Option<Selection>,
) -> impl IntoView {
    let people: Vec<i64> = page.items.iter().filter_map(|a| a.person.as_ref().map(|p| p.id)).collect();
    let (first, last) = page.shown();
    let (current, pages, total) = (page.page, page.page_count(), page.total);
    let update = list.update;
    let more_than_shown = total > page.items.len() as i64;
    view! {
        <div class="list-head">
            <p class="row-count" aria-live="polite">{format!("Showing {}–{} of {} seats", format::number(first), format::number(last), format::number(total))}</p>
            {chosen.filter(|_| more_than_shown).map(|c| view! { <ChooseAllMatching pool_id=pool_id total=total list=list chosen=c/> })}
        </div>
        <div class="table-wrap" tabindex="0">
            <table class="table" id="seats">
                <thead><tr>
                    {chosen.map(|c| view! { <SelectAllHeader selection=c ids=people.clone() label="Choose every seat shown"/> })}
                    <SortHeaders columns=SEAT_COLUMNS sort=list.param("sort") update=update minor=&["Department", "Status", "Assigned", "By"]/>
                    {can_edit.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|a| {
                        let (name, email, dept, status) = match &a.person {
                            Some(h) => (h.name.clone(), h.email.clone(), h.department.clone().unwrap_or_default(), Some(h.status)),
                            None => (a.device.clone().unwrap_or_default(), "device".into(), String::new(), None),
                        };
                        let id = a.id;
                        let label = format!("Unassign the seat of {name}");
                        let reassign_label = format!("Reassign the seat of {name}");
                        let who = name.clone();
                        let taken = name.clone();
                        let person_href = a.person.as_ref().map(|h| format!("/people/{}", h.id));
                        let reclaim = a.reclaim.clone();
                        let person_id = a.person.as_ref().map(|h| h.id);
                        let choose_label = format!("Choose the seat of {name}");
                        let (used, used_title) = last_use(&a.last_sign_in);
                        let unused = matches!(&a.last_sign_in, Some(SeatUse { at: None, .. }));
                        view! {
                            <tr>
                                {chosen.map(|c| match person_id {
                                    Some(id) => view! { <SelectCell selection=c id=id label=choose_label.clone()/> }.into_any(),
                                    None => view! { <td class="select-cell"></td> }.into_any(),
                                })}
                                <td>
                                    {match person_href {
                                        Some(href) => view! { <A href=href>{name}</A> }.into_any(),
                                        None => view! { <span>{name}</span> }.into_any(),
                                    }}
                                    <div class="muted small">{email}</div>
                                </td>
                                <td class="minor">{dept}</td>
                                <td class="minor">
                                    {status.map(|s| view! { <StatusBadge status=s/> })}
                                    {reclaim.map(|r| view! { <span class="badge badge-warn" title=r.reason>"Marked for reclamation"</span> })}
                                </td>
                                <td class="last-use" class:muted=a.last_sign_in.is_none() class:warn=unused title=used_title>{used}</td>
                                <td class="minor"><DateText date=Some(a.assigned_at.date_naive())/></td>
                                <td class="muted minor">{a.assigned_by.clone().unwrap_or_default()}</td>
                                {can_edit.then(|| view! {
                                    <td class="num actions">
                                        <button class="btn btn-small" type="button" aria-label=reassign_label
                                            disabled=move || actions.pending()
                                            on:click=move |_| { actions.assigning.set(false); actions.reassigning.set(Some((id, who.clone()))); }>"Reassign"</button>
                                        {can_take_back.then(|| view! { <ConfirmButton label="Unassign".to_string() aria_label=label class="btn btn-small"
                                            question=format!("Take {taken}'s seat back now? It is freed at once, without a change request; \
                                                giving it back later is a new assignment.")
                                            confirm="Take the seat back".to_string()
                                            disabled=Signal::derive(move || actions.pending())
                                            on_confirm=Callback::new(move |_| { actions.unassign.dispatch((pool_id, id)); })/> })}
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! { <Pager current=current pages=pages update=update/> })}
    }
}
