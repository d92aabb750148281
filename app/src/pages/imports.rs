//! Imports: upload a file, see its preview (counts, columns read and ignored, values not understood, rows in
//! error, changes to existing pools), then apply it, all of it or only its valid rows.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{
    ApplyImportInput, CostBasis, FieldError, HrUploadQuery, ImportSummary, JobProgress, PoolQuery, SkuMappingInput,
    SnipeItUploadQuery, UploadQuery,
};

use crate::api::{self, ApiError};
use crate::components::fields::SelectField;
use crate::components::file::read_file;
use crate::components::progress::{poll_while, ProgressBar};
use crate::components::shell::Shell;
use crate::components::ErrorBanner;
use crate::format;
use crate::pages::import_preview::{rows_named, CreatedLinks, ProblemTable, Summary};

/// What the upload form asks before sending a Snipe-IT file: both choices, each named beside its field.
fn snipeit_target(department: &str, cost_centre: &str) -> Result<(i64, i64), ApiError> {
    let mut missing = Vec::new();
    let department = department.parse::<i64>().ok();
    let cost_centre = cost_centre.parse::<i64>().ok();
    if department.is_none() {
        missing.push(FieldError::new("department_id", "Choose the department that will own the imported pools."));
    }
    if cost_centre.is_none() {
        missing.push(FieldError::new("cost_centre_id", "Choose the cost centre the imported pools are charged to."));
    }
    match (department, cost_centre) {
        (Some(d), Some(c)) => Ok((d, c)),
        _ => Err(ApiError::invalid(missing)),
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let full = RwSignal::new(true);
    let source = RwSignal::new("hr".to_string());
    let department = RwSignal::new(String::new());
    let cost_centre = RwSignal::new(String::new());
    let cost_per = RwSignal::new(CostBasis::SeatYear.as_str().to_string());
    let lookups = LocalResource::new(api::catalog::lookups);
    let upload = Action::new_local(move |_: &()| async move {
        let (name, text) = read_file("hr-file").await.map_err(|m| ApiError::failure("file", m))?;
        let filename = Some(name);
        match source.get_untracked().as_str() {
            "graph" => api::imports::upload_graph_users(&UploadQuery { filename }, text).await,
            "snipeit" => {
                let (department_id, cost_centre_id) =
                    snipeit_target(&department.get_untracked(), &cost_centre.get_untracked())?;
                let cost_per = CostBasis::ALL.into_iter().find(|b| b.as_str() == cost_per.get_untracked());
                let query = SnipeItUploadQuery {
                    filename,
                    department_id: Some(department_id),
                    cost_centre_id: Some(cost_centre_id),
                    cost_per,
                };
                api::imports::upload_snipeit(&query, text).await
            }
            _ => api::imports::upload_hr(&HrUploadQuery { filename, full: Some(full.get_untracked()) }, text).await,
        }
    });
    let upload_error = Signal::derive(move || upload.value().get().and_then(Result::err));
    let apply = Action::new_local(|(id, skip_invalid): &(i64, bool)| {
        api::imports::apply(*id, ApplyImportInput { skip_invalid: *skip_invalid })
    });
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
        poll_while(apply.pending(), progress, move || api::imports::progress(preview.id));
    });
    let cost_options = || -> Vec<(String, String)> {
        CostBasis::ALL.iter().map(|b| (b.as_str().to_string(), format::sentence_case(b.label()))).collect()
    };
    view! {
        <Shell title="Import">
            <div class="page-head">
                <div>
                    <h1>"Import"</h1>
                    <p class="muted">"Upload an HR export, a Snipe-IT users or license export, or a Microsoft 365 users export. Nothing changes until you have seen the preview and applied it."</p>
                </div>
                <A href="/imports/history" attr:class="btn">"Import history"</A>
            </div>
            <form class="panel form" on:submit=move |ev| {
                ev.prevent_default();
                apply.value().set(None);
                upload.dispatch(());
            }>
                <fieldset class="choice">
                    <legend>"What are you importing?"</legend>
                    <label><input type="radio" name="source" value="hr" prop:checked=move || source.get() == "hr"
                        on:change=move |_| source.set("hr".into())/>" People from an HR export or a Snipe-IT users export"</label>
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
                            _ => "People export (CSV)",
                        }}</label>
                        <input id="hr-file" type="file" accept=".csv,text/csv,.json,application/json" aria-describedby="hr-file-hint"/>
                        <p class="muted small" id="hr-file-hint">{move || match source.get().as_str() {
                            "snipeit" => "One row per checked-out seat, as Snipe-IT exports licenses; costs like $41.70, US dates and empty cells are fine. Pools already here are updated.",
                            "graph" => "GET /v1.0/users with assignedLicenses and signInActivity. Licenses become seats through the SKU mappings below.",
                            _ => "Columns: employee_id, first_name, last_name, email, department, cost_centre, manager_employee_id, employment_type, status, start_date, end_date, in any case and spacing. A Snipe-IT users export works as it comes (Employee Number is the employee id); other columns are ignored.",
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
                                    error=upload_error path="department_id" placeholder="Choose…" hint="For the pools the file creates."/>
                                <SelectField id="imp-cost-centre" label="Cost centre" value=cost_centre options=cost_centres
                                    error=upload_error path="cost_centre_id" placeholder="Choose…"/>
                            }
                        })}
                        <SelectField id="imp-cost-per" label="Purchase cost is" value=cost_per options=cost_options()
                            error=upload_error path="cost_per" hint="Snipe-IT does not say; the preview shows how each license's cost was read."/>
                    </Show>
                </div>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || upload.pending().get()>
                        {move || if upload.pending().get() { "Checking…" } else { "Upload and preview" }}
                    </button>
                </div>
            </form>
            <SkuMappings/>
            <div aria-live="polite">
                {move || match upload.value().get() {
                    None => ().into_any(),
                    Some(Err(e)) if e.fields().iter().any(|f| f.row.is_some()) => view! { <RowErrors error=e/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                    Some(Ok(preview)) => view! { <Preview preview=preview apply=apply progress=progress/> }.into_any(),
                }}
            </div>
        </Shell>
    }
}

/// A preview, the choice to apply it (all of it, or the valid rows), and then what was done.
#[component]
fn Preview(
    preview: ImportSummary,
    apply: Action<(i64, bool), Result<ImportSummary, ApiError>>,
    progress: RwSignal<Option<JobProgress>>,
) -> impl IntoView {
    let id = preview.id;
    let bad = rows_named(&preview.row_errors);
    let valid = preview.valid_rows;
    let errors = preview.row_errors.clone();
    view! {
        <section class="panel" aria-labelledby="preview-h">
            <h2 id="preview-h">{move || if apply.value().get().is_some_and(|r| r.is_ok()) { "Imported" } else { "Preview" }}</h2>
            {move || match apply.value().get() {
                Some(Ok(done)) => view! { <Applied done=done/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> <Summary s=preview.clone()/> }.into_any(),
                None => view! {
                    <Summary s=preview.clone()/>
                    {(bad > 0).then(|| view! {
                        <section class="panel" aria-labelledby="row-errors-h">
                            <h3 id="row-errors-h">{format!("{bad} {} need fixing", if bad == 1 { "row" } else { "rows" })}</h3>
                            <p>{format!("Nothing is imported while rows are in error. Fix the file and upload it again, or import the {} valid rows and skip {}: you can download the skipped rows to fix them.",
                                format::number(valid), if bad == 1 { "this one" } else { "these" })}</p>
                            <ProblemTable id="import-errors" problems=errors.clone()/>
                        </section>
                    })}
                    <div class="form-actions">
                        {if bad == 0 {
                            view! {
                                <button class="btn btn-primary" type="button" disabled=move || apply.pending().get()
                                    on:click=move |_| { apply.dispatch((id, false)); }>
                                    {move || if apply.pending().get() { "Applying…" } else { "Apply import" }}
                                </button>
                            }.into_any()
                        } else {
                            view! {
                                <button class="btn btn-primary" type="button" disabled=move || apply.pending().get()
                                    on:click=move |_| { apply.dispatch((id, true)); }>
                                    {move || if apply.pending().get() { "Applying…".to_string() } else {
                                        format!("Apply the {} valid rows, skip {bad}", format::number(valid)) }}
                                </button>
                                <a class="btn" href=api::imports::skipped_csv_url(id) download="">{format!("Download the {bad} rows in error (CSV)")}</a>
                            }.into_any()
                        }}
                        <ProgressBar progress=progress pending=apply.pending()/>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// What an apply did, with links to it.
#[component]
fn Applied(done: ImportSummary) -> impl IntoView {
    let message = match done.kind.as_str() {
        "graph" => format!(
            "Imported {}: {} people created, {} updated, {} seats created.",
            done.filename, done.creates, done.updates, done.seats_created
        ),
        "snipeit" => format!(
            "Imported {}: {} pools created, {} pools updated and {} seats created, {} people added.",
            done.filename, done.pools_created, done.pools_updated, done.seats_created, done.creates
        ),
        _ => format!(
            "Imported {}: {} created, {} updated, {} unchanged.",
            done.filename, done.creates, done.updates, done.unchanged
        ),
    };
    let skipped = done.skipped_rows;
    let id = done.id;
    view! {
        <div class="banner banner-ok" role="status">{message}
            {(skipped > 0).then(|| format!(" {skipped} {} in error skipped.", if skipped == 1 { "row" } else { "rows" }))}</div>
        {(skipped > 0).then(|| view! {
            <p><a href=api::imports::skipped_csv_url(id) download="">{format!("Download the {skipped} skipped rows (CSV)")}</a>
                " with an error column, fix them and upload that file."</p>
        })}
        <p>"See what it created or changed: " <CreatedLinks s=done.clone()/> ". " <A href="/imports/history">"Import history"</A></p>
        <Summary s=done/>
    }
}

#[component]
fn RowErrors(error: ApiError) -> impl IntoView {
    let fields: Vec<FieldError> = error.fields().to_vec();
    let rows = rows_named(&fields);
    view! {
        <section class="panel" aria-labelledby="errors-h">
            <h2 id="errors-h">{format!("{} {} need fixing — nothing was imported", rows, if rows == 1 { "row" } else { "rows" })}</h2>
            <p>{error.message()}</p>
            <ProblemTable id="import-errors" problems=fields/>
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
