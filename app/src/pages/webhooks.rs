//! Webhooks on the settings page (admins): each with its events and deliveries waiting or failed, its last
//! deliveries on demand, and the form that makes one. The signing secret is shown once, right after.

use leptos::prelude::*;
use seatwise_types::{DeliveryStatus, Webhook, WebhookEvent, WebhookInput};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::form::Saver;
use crate::components::{ErrorBanner, Loaded};
use crate::format;

fn event_label(e: WebhookEvent) -> &'static str {
    match e {
        WebhookEvent::CaseOpened => "A reclamation case opens",
        WebhookEvent::SeatReclaimed => "A seat is taken back",
        WebhookEvent::ChangeRequestApproved => "A change request is approved",
        WebhookEvent::ReconciliationDrift => "Reconciliation finds drift",
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let list = LocalResource::new(api::webhooks::list);
    // The secret of the webhook just made: shown here once.
    let made = RwSignal::new(None::<Webhook>);
    view! {
        <section class="panel" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p class="muted">"Events posted as signed JSON to a service desk (ServiceNow, Jira Service Management, a PSA). Each carries X-Seatwise-Signature, the HMAC-SHA256 of the timestamp and body with the webhook's secret."</p>
            {move || made.get().and_then(|w| w.secret.clone().map(|secret| view! {
                <div class="banner banner-ok" role="status">
                    <strong>{format!("{} is ready. Its signing secret, shown this once:", w.name)}</strong>
                    <div><code class="break">{secret}</code></div>
                </div>
            }))}
            <Loaded resource=list let:page>
                {if page.items.is_empty() {
                    view! { <p class="muted">"No webhooks yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="webhooks">
                                <thead><tr>
                                    <th scope="col">"Webhook"</th><th scope="col">"Events"</th>
                                    <th scope="col" class="num">"Waiting"</th><th scope="col" class="num">"Failed"</th>
                                </tr></thead>
                                <tbody>{page.items.into_iter().map(|w| view! { <WebhookRow webhook=w/> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
            <NewWebhook on_saved=Callback::new(move |w: Webhook| { made.set(Some(w)); list.refetch(); })/>
        </section>
    }
}

#[component]
fn WebhookRow(webhook: Webhook) -> impl IntoView {
    let w = webhook;
    let id = w.id;
    let shown = RwSignal::new(false);
    let deliveries = LocalResource::new(move || async move {
        if shown.get() {
            api::webhooks::deliveries(id).await.map(Some)
        } else {
            Ok(None)
        }
    });
    let events = w.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
    let label = format!("Last deliveries of {}", w.name);
    view! {
        <tr>
            <td>{w.name.clone()}<div class="muted small break">{w.url.clone()}</div>
                <button class="btn btn-small btn-ghost" type="button" aria-expanded=move || shown.get().to_string() aria-label=label
                    on:click=move |_| shown.update(|s| *s = !*s)>"Deliveries"</button></td>
            <td class="break">{events}</td>
            <td class="num">{format::number(w.pending)}</td>
            <td class="num">{format::number(w.failed)}</td>
        </tr>
        <Show when=move || shown.get()>
            <tr><td colspan="4">
                <Loaded resource=deliveries let:found>
                    {match found {
                        Some(page) if !page.items.is_empty() => view! {
                            <ul class="delivery-list">{page.items.into_iter().map(|d| {
                                let state = match d.status {
                                    DeliveryStatus::Delivered => "delivered",
                                    DeliveryStatus::Pending => "waiting",
                                    DeliveryStatus::Failed => "failed",
                                };
                                view! { <li>{format!("{} · {} · {} · {} attempt{}{}", format::datetime(&d.created_at), d.event.as_str(), state,
                                    d.attempts, if d.attempts == 1 { "" } else { "s" },
                                    d.last_error.map(|e| format!(" · {e}")).unwrap_or_default())}</li> }
                            }).collect_view()}</ul>
                        }.into_any(),
                        _ => view! { <p class="muted">"Nothing delivered yet."</p> }.into_any(),
                    }}
                </Loaded>
            </td></tr>
        </Show>
    }
}

#[component]
fn NewWebhook(on_saved: Callback<Webhook>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(vec![WebhookEvent::SeatReclaimed]);
    let saver = Saver::new(
        |input: WebhookInput| async move { api::webhooks::create(&input).await },
        move |w: Webhook| {
            name.set(String::new());
            url.set(String::new());
            on_saved.run(w);
        },
    );
    let err: Signal<Option<ApiError>> = saver.error.into();
    let build = move || {
        Ok(WebhookInput { name: name.get_untracked(), url: url.get_untracked(), events: events.get_untracked() })
    };
    view! {
        <details class="start-campaign">
            <summary><strong>"Add a webhook"</strong></summary>
            <form class="form-grid" novalidate on:submit=move |ev| { ev.prevent_default(); saver.submit(build()); }>
                <TextField id="webhook-name" path="name" label="Name" value=name error=err required=true/>
                <TextField id="webhook-url" path="url" label="Address" value=url error=err kind="url"
                    hint="https://…, where the service desk takes events" class="span-2"/>
                <fieldset class="span-2 form-checks">
                    <legend>"Events"</legend>
                    {WebhookEvent::ALL.into_iter().map(|e| {
                        let id = format!("webhook-event-{}", e.as_str().replace('.', "-"));
                        let for_id = id.clone();
                        view! {
                            <label class="filter-toggle" for=for_id>
                                <input type="checkbox" id=id prop:checked=move || events.with(|v| v.contains(&e))
                                    on:change=move |ev| events.update(|v| {
                                        v.retain(|x| *x != e);
                                        if event_target_checked(&ev) { v.push(e); }
                                    })/>
                                {format!(" {} ({})", event_label(e), e.as_str())}
                            </label>
                        }
                    }).collect_view()}
                    {move || err.get().and_then(|e| e.field("events")).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </fieldset>
                {move || err.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="span-2"><ErrorBanner error=e/></div> })}
                <div class="button-row span-2">
                    <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>
                        {move || if saver.save.pending().get() { "Saving…" } else { "Add the webhook" }}
                    </button>
                </div>
            </form>
        </details>
    }
}
