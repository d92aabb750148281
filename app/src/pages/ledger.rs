//! The audit ledger (admins): recent entries and whole-chain verification.

use leptos::prelude::*;
use seatwise_types::LedgerQuery;

use crate::api;
use crate::components::shell::Shell;
use crate::components::{ErrorBanner, Loaded};
use crate::format;

#[component]
pub fn LedgerPage() -> impl IntoView {
    let entries = LocalResource::new(|| async {
        api::ledger::list(&LedgerQuery { per_page: Some(50), ..Default::default() }).await
    });
    let verify = Action::new_local(|_: &()| api::ledger::verify());
    view! {
        <Shell title="Audit ledger">
            <div class="page-head">
                <div>
                    <h1>"Audit ledger"</h1>
                    <p class="muted">"Every change, hash-chained: each entry seals the one before it."</p>
                </div>
                <button class="btn btn-primary" type="button" disabled=move || verify.pending().get()
                    on:click=move |_| { verify.dispatch(()); }>
                    {move || if verify.pending().get() { "Verifying…" } else { "Verify ledger" }}
                </button>
            </div>
            <div aria-live="polite">
                {move || verify.value().get().map(|r| match r {
                    Ok(v) if v.ok => view! { <div class="banner banner-ok" role="status">{v.message}</div> }.into_any(),
                    Ok(v) => view! { <div class="banner banner-error" role="alert"><strong>"Tampering detected. "</strong>{v.message}</div> }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                })}
            </div>
            <Loaded resource=entries let:page>
                    <p class="row-count">{format!("Latest {} of {} entries", page.items.len(), format::number(page.total))}</p>
                    <div class="table-wrap" tabindex="0">
                        <table class="table">
                            <thead><tr><th scope="col" class="num">"#"</th><th scope="col">"When"</th><th scope="col">"Who"</th>
                                <th scope="col">"Action"</th><th scope="col">"Record"</th><th scope="col">"Hash"</th></tr></thead>
                            <tbody>
                                {page.items.into_iter().map(|e| {
                                    let record = match (e.record_type.as_str(), e.record_id) {
                                        ("pool", Some(id)) => view! { <a href=format!("/pools/{id}")>{format!("pool {id}")}</a> }.into_any(),
                                        (t, Some(id)) => view! { <span>{format!("{t} {id}")}</span> }.into_any(),
                                        (t, None) => view! { <span>{t.to_string()}</span> }.into_any(),
                                    };
                                    let iso = e.at.to_rfc3339();
                                    view! {
                                        <tr>
                                            <td class="num">{e.seq}</td>
                                            <td><time datetime=iso.clone() title=iso>{format::datetime(&e.at)}</time></td>
                                            <td>{e.actor}</td>
                                            <td><code>{e.action}</code></td>
                                            <td>{record}</td>
                                            <td><code class="hash" title=e.hash.clone()>{e.hash[..12].to_string()}</code></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
            </Loaded>
        </Shell>
    }
}
