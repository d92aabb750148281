//! The page a campaign's e-mail links to, without login: the seats the person is asked about, why each was
//! selected, and Keep or Release per seat. Opening it changes nothing (mail scanners open every link); only the
//! Send button answers, with a POST.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use seatwise_types::{CampaignAsk, Choice, LetterStatus, ResponseInput, ResponsePage};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::{ErrorBanner, Loading};
use crate::format;

#[component]
pub fn RespondPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = params.with_untracked(|p| p.get("token")).unwrap_or_default();
    // The link's preset: a choice for one seat (`case`) or for all.
    let preset = query.with_untracked(|q| (q.get("choice").and_then(|c| Choice::parse(&c)), q.get("case")));
    let loaded = RwSignal::new(None::<Result<ResponsePage, ApiError>>);
    let choices = RwSignal::new(HashMap::<i64, Choice>::new());
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let t = token.clone();
    leptos::task::spawn_local(async move {
        let page = api::campaigns::response(&t).await;
        if let Ok(p) = &page {
            let (choice, case) = preset.clone();
            if let Some(choice) = choice {
                let only: Option<i64> = case.and_then(|c| c.parse().ok());
                choices.set(
                    p.seats
                        .iter()
                        .filter(|s| s.open && only.is_none_or(|c| c == s.case_id))
                        .map(|s| (s.case_id, choice))
                        .collect(),
                );
            }
        }
        loaded.set(Some(page));
    });
    let send = Action::new_local(move |_: &()| {
        let token = token.clone();
        let picked = choices.get_untracked();
        let comment = comment.get_untracked();
        async move {
            let mut last = None;
            for choice in [Choice::Release, Choice::Keep] {
                let ids: Vec<i64> = picked.iter().filter(|(_, c)| **c == choice).map(|(id, _)| *id).collect();
                if ids.is_empty() {
                    continue;
                }
                let input = ResponseInput {
                    choice,
                    comment: Some(comment.clone()).filter(|c| !c.trim().is_empty()),
                    case_ids: Some(ids),
                };
                last = Some(api::campaigns::answer(&token, &input).await?);
            }
            last.ok_or_else(|| ApiError::failure("nothing_chosen", "Choose Keep or Release for at least one seat."))
        }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(page)) => {
            loaded.set(Some(Ok(page)));
            choices.set(HashMap::new());
            sent.set(true);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title("Your answer · Seatwise");
    }
    let err: Signal<Option<ApiError>> = error.into();
    view! {
        <main class="auth-page" id="main">
            <div class="auth-card respond-card">
                <div class="brand brand-large">
                    <svg viewBox="0 0 24 24" class="brand-mark" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="3"/><path d="M7 10h10M7 14h6"/></svg>
                    <span>"Seatwise"</span>
                </div>
                {move || match loaded.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) if e.status == 404 => view! {
                        <h1>"This link is not valid"</h1>
                        <p>"It may have been cut off or changed. Open it again from the e-mail, copying the whole address, or ask the person who sent it."</p>
                    }.into_any(),
                    Some(Err(e)) => view! { <h1>"Your answer"</h1><ErrorBanner error=e/> }.into_any(),
                    Some(Ok(page)) => view! { <Answer page=page choices=choices comment=comment err=err send=send sent=sent/> }.into_any(),
                }}
            </div>
        </main>
    }
}

#[component]
fn Answer(
    page: ResponsePage,
    choices: RwSignal<HashMap<i64, Choice>>,
    comment: RwSignal<String>,
    err: Signal<Option<ApiError>>,
    send: Action<(), Result<ResponsePage, ApiError>>,
    sent: RwSignal<bool>,
) -> impl IntoView {
    let review = page.ask != CampaignAsk::Holder || page.purpose == "confirm";
    let release_word = if review { "Remove" } else { "Release" };
    let title = match (page.purpose.as_str(), page.ask) {
        ("confirm", _) => "Please confirm".to_string(),
        (_, CampaignAsk::Holder) => {
            if page.seats.len() == 1 { "Do you still need this license?" } else { "Do you still need these licenses?" }
                .to_string()
        }
        _ => format!("Access review: {}", page.campaign),
    };
    let intro = match (page.purpose.as_str(), page.ask) {
        ("confirm", _) => format!(
            "Hello {}. These people asked to keep a license. Keep confirms it; Remove takes it back.",
            page.respondent
        ),
        (_, CampaignAsk::Holder) => format!(
            "Hello {}. Release gives a seat back at once, so the company stops paying for it; Keep leaves it with you.",
            page.respondent
        ),
        _ => format!("Hello {}. Please say whether each person still needs their license.", page.respondent),
    };
    let status = page.status;
    let open: Vec<i64> = page.seats.iter().filter(|s| s.open).map(|s| s.case_id).collect();
    let any_open = !open.is_empty();
    let several = open.len() > 1;
    let open = StoredValue::new(open);
    let all = move |c: Choice| move |_| choices.set(open.with_value(|o| o.iter().map(|id| (*id, c)).collect()));
    let deadline = format::date(&page.deadline);
    view! {
        <h1>{title}</h1>
        <p>{intro}</p>
        {match status {
            LetterStatus::Expired => view! {
                <div class="banner banner-warn" role="status">{format!("This link has expired: answers were taken until the end of {deadline}. Contact {} about these seats.", page.contact)}</div>
            }.into_any(),
            LetterStatus::Answered => view! {
                <div class="banner banner-ok" role="status">{move || if sent.get() { "Thank you: your answer is recorded." } else { "Every seat here has been answered. Thank you." }}</div>
            }.into_any(),
            LetterStatus::Open => view! {
                <p class="muted">{format!("Please answer by {deadline}. {}", page.without_answer)}</p>
            }.into_any(),
        }}
        <form novalidate on:submit=move |ev| { ev.prevent_default(); send.dispatch(()); }>
            <ul class="respond-seats">
                {page.seats.into_iter().map(|s| {
                    let id = s.case_id;
                    let name = format!("seat-{id}");
                    let who = if review { format!("{}: {}", s.holder, s.license) } else { s.license.clone() };
                    let picked = move |c: Choice| choices.with(|m| m.get(&id) == Some(&c));
                    view! {
                        <li class="respond-seat">
                            <fieldset disabled=!s.open>
                                <legend><strong>{who}</strong></legend>
                                <p class="muted small">{s.why.clone()}</p>
                                {s.holder_comment.clone().map(|c| view! { <p class="small">{format!("Their comment: “{c}”")}</p> })}
                                {if s.open {
                                    view! {
                                        <div class="choice-row">
                                            <label class="choice"><input type="radio" name=name.clone() value="keep"
                                                prop:checked=move || picked(Choice::Keep)
                                                on:change=move |_| choices.update(|m| { m.insert(id, Choice::Keep); })/>" Keep"</label>
                                            <label class="choice"><input type="radio" name=name.clone() value="release"
                                                prop:checked=move || picked(Choice::Release)
                                                on:change=move |_| choices.update(|m| { m.insert(id, Choice::Release); })/>{format!(" {release_word}")}</label>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! { <p class="small"><span class="badge badge-muted">{s.outcome.clone()}</span></p> }.into_any()
                                }}
                            </fieldset>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || any_open && status == LetterStatus::Open>
                <Show when=move || several>
                    <div class="button-row">
                        <button class="btn btn-small" type="button" on:click=all(Choice::Keep)>"Keep all"</button>
                        <button class="btn btn-small" type="button" on:click=all(Choice::Release)>{format!("{release_word} all")}</button>
                    </div>
                </Show>
                <TextField id="comment" label="Comment (optional)" value=comment error=err rows=3
                    hint="Say why, for the person who decides: it goes with your answer."/>
                {move || err.get().filter(|e| e.fields().is_empty()).map(|e| view! { <ErrorBanner error=e/> })}
                <button class="btn btn-primary btn-block" type="submit"
                    disabled=move || send.pending().get() || choices.with(|m| m.is_empty())>
                    {move || if send.pending().get() { "Sending…" } else { "Send my answer" }}
                </button>
            </Show>
        </form>
        <p class="muted small">{format!("Questions about this? Contact {}.", page.contact)}</p>
    }
}
