//! Import people from an HR export: upload, see every row-level problem or a preview, then apply.

use leptos::prelude::*;
use seatwise_types::{
    FieldError, HrUploadQuery, ImportSummary, JobProgress, PoolQuery, SkuMappingInput, SnipeItUploadQuery, UploadQuery,
};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::fields::SelectField;
use crate::components::shell::Shell;
use crate::components::ErrorBanner;

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Read the chosen file's text in the browser.
async fn read_file(input_id: &str) -> Result<(String, String), String> {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(input_id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .ok_or("no file input")?;
    let file = input.files().and_then(|f| f.get(0)).ok_or("Choose a CSV file first.")?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| "The file could not be read.")?;
    Ok((file.name(), text.as_string().unwrap_or_default()))
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let full = RwSignal::new(true);
    let source = RwSignal::new("hr".to_string());
    let department = RwSignal::new(String::new());
    let cost_centre = RwSignal::new(String::new());
    let lookups = LocalResource::new(api::catalog::lookups);
    let local_error = RwSignal::new(None::<String>);
    let upload = Action::new_local(move |_: &()| async move {
        let (name, text) = read_file("hr-file").await.map_err(|m| ApiError::failure("file", m))?;
        let filename = Some(name);
        match source.get_untracked().as_str() {
            "graph" => api::imports::upload_graph_users(&UploadQuery { filename }, text).await,
            "snipeit" => {
                let chosen = |v: RwSignal<String>| v.get_untracked().parse::<i64>().ok();
                let (Some(department_id), Some(cost_centre_id)) = (chosen(department), chosen(cost_centre)) else {
                    return Err(ApiError::failure("file", "Choose the owning department and the cost centre first."));
                };
                let query = SnipeItUploadQuery { filename, department_id, cost_centre_id };
                api::imports::upload_snipeit(&query, text).await
            }
            _ => api::imports::upload_hr(&HrUploadQuery { filename, full: Some(full.get_untracked()) }, text).await,
        }
    });
    let upload_error = Signal::derive(move || upload.value().get().and_then(Result::err));
    let apply = Action::new_local(|id: &i64| api::imports::apply(*id));
    // While a large file is applied, ask the server how far it has come.
    let progress = RwSignal::new(None::<JobProgress>);
    Effect::new(move |_| {
        if !apply.pending().get() {
            return;
        }
        let Some(Ok(preview)) = upload.value().get_untracked() else { return };
        // The page may be left while this polls: its signals are then disposed, so read and write them with the
        // `try_` forms and stop instead of touching a disposed signal.
        // Take the pending signal now: calling `apply.pending()` after the action is disposed panics.
        let pending = apply.pending();
        leptos::task::spawn_local(async move {
            while pending.try_get_untracked().unwrap_or(false) {
                if let Ok(p) = api::imports::progress(preview.id).await {
                    if progress.try_set(Some(p)).is_some() {
                        return;
                    }
                }
                sleep_ms(400).await;
            }
            let _ = progress.try_set(None);
        });
    });
    view! {
        <Shell title="Import">
            <div class="page-head">
                <div>
                    <h1>"Import"</h1>
                    <p class="muted">"Upload an HR export, a Snipe-IT license export or a Microsoft 365 users export. Nothing changes until you have seen the preview and applied it."</p>
                </div>
            </div>
            <form class="panel form" on:submit=move |ev| {
                ev.prevent_default();
                local_error.set(None);
                apply.value().set(None);
                upload.dispatch(());
            }>
                <fieldset class="choice">
                    <legend>"What are you importing?"</legend>
                    <label><input type="radio" name="source" value="hr" prop:checked=move || source.get() == "hr"
                        on:change=move |_| source.set("hr".into())/>" People from an HR export"</label>
                    <label><input type="radio" name="source" value="snipeit" prop:checked=move || source.get() == "snipeit"
                        on:change=move |_| source.set("snipeit".into())/>" Licenses and seats from Snipe-IT"</label>
                    <label><input type="radio" name="source" value="graph" prop:checked=move || source.get() == "graph"
                        on:change=move |_| source.set("graph".into())/>" Microsoft 365 users (Graph export)"</label>
                </fieldset>
                <div class="form-grid">
                    <div class="field">
                        <label for="hr-file">{move || match source.get().as_str() {
                            "snipeit" => "Snipe-IT license export (CSV)",
                            "graph" => "Graph users export (JSON)",
                            _ => "HR export (CSV)",
                        }}</label>
                        <input id="hr-file" type="file" accept=".csv,text/csv"/>
                        <p class="muted small">{move || match source.get().as_str() {
                            "snipeit" => "One row per checked-out seat, as Snipe-IT exports licenses; costs like $41.70 and US dates are fine.",
                            "graph" => "GET /v1.0/users with assignedLicenses and signInActivity. Licenses become seats through the SKU mappings below.",
                            _ => "Columns: employee_id, first_name, last_name, email, department, cost_centre, manager_employee_id, employment_type, status, start_date, end_date.",
                        }}</p>
                    </div>
                    <Show when=move || source.get() == "hr">
                        <div class="field checkbox">
                            <input id="hr-full" type="checkbox" prop:checked=move || full.get() on:change=move |ev| full.set(event_target_checked(&ev))/>
                            <label for="hr-full">"This is a full export (flag people it no longer lists)"</label>
                        </div>
                    </Show>
                    <Show when=move || source.get() == "snipeit">
                        {move || lookups.get().and_then(Result::ok).map(|l| {
                            let departments: Vec<(String, String)> = l.departments.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                            let cost_centres: Vec<(String, String)> =
                                l.cost_centres.iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect();
                            view! {
                                <SelectField id="imp-department" label="Owning department" value=department options=departments
                                    error=upload_error path="department_id" placeholder="Choose…"/>
                                <SelectField id="imp-cost-centre" label="Cost centre" value=cost_centre options=cost_centres
                                    error=upload_error path="cost_centre_id" placeholder="Choose…"/>
                            }
                        })}
                    </Show>
                </div>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || upload.pending().get()>
                        {move || if upload.pending().get() { "Checking…" } else { "Upload and preview" }}
                    </button>
                </div>
            </form>
            {move || local_error.get().map(|m| view! { <div class="banner banner-error" role="alert">{m}</div> })}
            <SkuMappings/>
            <div aria-live="polite">
                {move || match upload.value().get() {
                    None => ().into_any(),
                    Some(Err(e)) if !e.fields().is_empty() => view! { <RowErrors error=e/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                    Some(Ok(preview)) => {
                        let id = preview.id;
                        view! {
                            <section class="panel" aria-labelledby="preview-h">
                                <h2 id="preview-h">{move || if apply.value().get().is_some_and(|r| r.is_ok()) { "Imported" } else { "Preview" }}</h2>
                                {move || match apply.value().get() {
                                    Some(Ok(done)) => view! {
                                        <div class="banner banner-ok" role="status">{if done.kind == "graph" {
                                            format!("Imported {}: {} people created, {} updated, {} seats created.", done.filename, done.creates, done.updates, done.seats_created)
                                        } else if done.kind == "snipeit" {
                                            format!("Imported {}: {} pools and {} seats created, {} people added.", done.filename, done.pools_created, done.seats_created, done.creates)
                                        } else {
                                            format!("Imported {}: {} created, {} updated, {} unchanged.", done.filename, done.creates, done.updates, done.unchanged)
                                        }}</div>
                                        <Summary s=done/>
                                    }.into_any(),
                                    Some(Err(e)) => view! { <ErrorBanner error=e/> <Summary s=preview.clone()/> }.into_any(),
                                    None => view! {
                                        <Summary s=preview.clone()/>
                                        <div class="form-actions">
                                            <button class="btn btn-primary" type="button" disabled=move || apply.pending().get()
                                                on:click=move |_| { apply.dispatch(id); }>
                                                {move || if apply.pending().get() { "Applying…" } else { "Apply import" }}
                                            </button>
                                            {move || progress.get().filter(|p| p.total > 0).map(|p| view! {
                                                <label class="progress">
                                                    {format!("{}: {} of {}", p.phase, p.done, p.total)}
                                                    <progress max=p.total.to_string() value=p.done.to_string()></progress>
                                                </label>
                                            })}
                                        </div>
                                    }.into_any(),
                                }}
                            </section>
                        }.into_any()
                    }
                }}
            </div>
        </Shell>
    }
}

#[component]
fn Summary(s: ImportSummary) -> impl IntoView {
    let stat = |label: &'static str, value: i64, class: &'static str| {
        view! { <div class="card stat"><span class="stat-label">{label}</span><span class=format!("stat-value {class}")>{value}</span></div> }
    };
    if s.kind == "graph" {
        let unmapped = s.unmapped_skus.join(", ");
        return view! {
            <section class="cards" aria-label="What the file does">
                {stat("Users", s.rows, "")}
                {stat("New people", s.creates, "")}
                {stat("Updated", s.updates, "")}
                {stat("Unchanged", s.unchanged, "")}
                {stat("New seats", s.seats_created, "")}
                {stat("Disabled accounts", s.terminations, if s.terminations > 0 { "warn" } else { "" })}
            </section>
            {(!unmapped.is_empty()).then(|| view! { <p class="muted">{format!("Not mapped to a pool (no seats created): {unmapped}.")}</p> })}
        }
        .into_any();
    }
    if s.kind == "snipeit" {
        return view! {
            <section class="cards" aria-label="What the file does">
                {stat("Rows", s.rows, "")}
                {stat("New pools", s.pools_created, "")}
                {stat("New seats", s.seats_created, "")}
                {stat("New people", s.creates, "")}
                {stat("Already there", s.unchanged, "")}
            </section>
        }
        .into_any();
    }
    view! {
        <section class="cards" aria-label="What the file does">
            {stat("Rows", s.rows, "")}
            {stat("New people", s.creates, "")}
            {stat("Updated", s.updates, "")}
            {stat("Unchanged", s.unchanged, "")}
            {stat("Terminations", s.terminations, if s.terminations > 0 { "warn" } else { "" })}
            {stat("No longer listed", s.missing, if s.missing > 0 { "warn" } else { "" })}
        </section>
        {(!s.new_departments.is_empty() || !s.new_cost_centres.is_empty()).then(|| view! {
            <p class="muted">{format!("New departments: {}. New cost centres: {}.",
                if s.new_departments.is_empty() { "none".to_string() } else { s.new_departments.join(", ") },
                if s.new_cost_centres.is_empty() { "none".to_string() } else { s.new_cost_centres.join(", ") })}</p>
        })}
    }
    .into_any()
}

#[component]
fn RowErrors(error: ApiError) -> impl IntoView {
    let fields: Vec<FieldError> = error.fields().to_vec();
    let rows = fields.iter().filter_map(|f| f.row).collect::<std::collections::BTreeSet<_>>().len();
    view! {
        <section class="panel" aria-labelledby="errors-h">
            <h2 id="errors-h">{format!("{} rows need fixing — nothing was imported", rows)}</h2>
            <div class="table-wrap" tabindex="0">
                <table class="table" id="import-errors">
                    <thead><tr><th scope="col" class="num">"Row"</th><th scope="col" class="num">"Line"</th>
                        <th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>
                        {fields.into_iter().map(|f| view! {
                            <tr>
                                <td class="num">{f.row.map(|r| r.to_string()).unwrap_or_default()}</td>
                                <td class="num">{f.line.map(|l| l.to_string()).unwrap_or_default()}</td>
                                <td><code>{f.path}</code></td>
                                <td>{f.message}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Microsoft 365 SKUs and the pools their assignments become seats of; editable here.
#[component]
fn SkuMappings() -> impl IntoView {
    let mappings = LocalResource::new(api::imports::sku_mappings);
    let pools = LocalResource::new(|| async {
        api::pools::list(&PoolQuery { per_page: Some(500), sort: Some("name".into()), ..Default::default() }).await
    });
    let save = Action::new_local(|(part, pool, version): &(String, Option<i64>, i64)| {
        let (part, body, version) = (part.clone(), SkuMappingInput { pool_id: *pool }, *version);
        async move { api::imports::set_sku_mapping(&part, &body, version).await }
    });
    let upload = Action::new_local(|_: &()| async move {
        let (_, text) = read_file("sku-file").await.map_err(|m| ApiError::failure("file", m))?;
        api::imports::upload_graph_skus(text).await
    });
    Effect::new(move |_| {
        if save.value().get().is_some_and(|r| r.is_ok()) || upload.value().get().is_some_and(|r| r.is_ok()) {
            mappings.refetch();
        }
    });
    view! {
        <details class="panel">
            <summary><strong>"Microsoft 365 SKU mappings"</strong></summary>
            <p class="muted">"Which pool a Microsoft 365 license (SKU) counts against. Upload the subscribedSkus export to list your SKUs."</p>
            <div class="inline-form">
                <div class="field">
                    <label for="sku-file">"subscribedSkus export (JSON)"</label>
                    <input id="sku-file" type="file" accept=".json,application/json"/>
                </div>
                <button class="btn" type="button" disabled=move || upload.pending().get() on:click=move |_| { upload.dispatch(()); }>"Read SKUs"</button>
            </div>
            {move || upload.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner error=e/> })}
            {move || match (mappings.get(), pools.get()) {
                (Some(Ok(list)), Some(Ok(pools))) if !list.is_empty() => view! {
                    <table class="table" id="sku-mappings">
                        <thead><tr><th scope="col">"SKU"</th><th scope="col">"Pool"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|m| {
                                let (part, version) = (m.part_number.clone(), m.version);
                                let label = format!("Pool for {}", m.part_number);
                                view! {
                                    <tr>
                                        <td><code>{m.part_number.clone()}</code></td>
                                        <td>
                                            <select aria-label=label on:change=move |ev| {
                                                let v = event_target_value(&ev).parse::<i64>().ok();
                                                save.dispatch((part.clone(), v, version));
                                            }>
                                                <option value="" selected=m.pool_id.is_none()>"Not mapped"</option>
                                                {pools.items.iter().map(|p| view! {
                                                    <option value=p.id.to_string() selected=m.pool_id == Some(p.id)>{p.name.clone()}</option>
                                                }).collect_view()}
                                            </select>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorBanner error=e/> }.into_any(),
                _ => view! { <p class="muted">"No SKUs yet."</p> }.into_any(),
            }}
        </details>
    }
}
