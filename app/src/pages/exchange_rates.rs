//! The dated exchange-rate table every finance figure is converted with: everyone who reads finance sees it; admins
//! add a rate, or many from a CSV file (all of them, or none with each problem by row).

use leptos::prelude::*;
use seatwise_types::{ExchangeRate, ExchangeRateInput, FieldError};

use crate::api;
use crate::components::fields::TextField;
use crate::components::file::read_file;
use crate::components::form::Saver;
use crate::components::list::use_list_query;
use crate::components::shell::Shell;
use crate::components::{DateText, EmptyState, ErrorBanner, Loaded};
use crate::pages::finance::FinanceTabs;
use crate::pages::import_preview::ProblemTable;
use crate::session::use_session;

#[component]
pub fn ExchangeRatesPage() -> impl IntoView {
    let list = use_list_query("/finance/rates", &["cost_centre_id", "department_id", "vendor_id"]);
    let session = use_session();
    let refresh = RwSignal::new(0u32);
    // The currency rates are kept into (the organisation's setting), loaded once; the table reloads after an add.
    let settings = LocalResource::new(api::settings::get);
    let rates = LocalResource::new(move || {
        refresh.track();
        api::finance::exchange_rates()
    });
    view! {
        <Shell title="Exchange rates">
            <div class="page-head"><div>
                <h1>"Exchange rates"</h1>
                <p class="muted">"Units of the reporting currency per unit of each currency, from the day given until the next rate. A figure on a day uses the latest rate on or before it; amounts round once, half away from zero, to the cent. The reporting currency is set in Settings."</p>
            </div></div>
            <FinanceTabs current="/finance/rates" list=list/>
            <Loaded resource=settings let:settings>
                {let reporting = settings.reporting_currency;
                view! {
                    {session.can().keep_exchange_rates.then(|| view! { <AddRates refresh=refresh reporting=reporting.clone()/> })}
                    <Loaded resource=rates let:rates>
                        {if rates.is_empty() {
                            view! { <EmptyState title="No exchange rates yet">"Every pool priced in another currency is left out of the finance figures until its currency has a rate."</EmptyState> }.into_any()
                        } else {
                            view! { <RateTable rates=rates reporting=reporting.clone()/> }.into_any()
                        }}
                    </Loaded>
                }}
            </Loaded>
        </Shell>
    }
}

#[component]
fn RateTable(rates: Vec<ExchangeRate>, reporting: String) -> impl IntoView {
    let per_unit = format!("{reporting} per unit");
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" id="exchange-rates">
                <thead><tr><th scope="col">"Currency"</th><th scope="col" class="num">{per_unit}</th><th scope="col">"From"</th>
                    <th scope="col" class="minor">"Added by"</th></tr></thead>
                <tbody>{rates.into_iter().map(|r| view! {
                    <tr><td>{r.currency}</td><td class="num">{r.rate}</td><td><DateText date=Some(r.date)/></td>
                        <td class="minor">{r.created_by}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

/// One rate by hand, or a file of them.
#[component]
fn AddRates(refresh: RwSignal<u32>, reporting: String) -> impl IntoView {
    let per_unit = format!("{reporting} per unit");
    let currency = RwSignal::new(String::new());
    let rate = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let added = RwSignal::new(None::<String>);
    let saver = Saver::new(
        move |input: ExchangeRateInput| async move { api::finance::add_exchange_rate(&input).await },
        move |r: ExchangeRate| {
            added.set(Some(format!("Added {} at {} from {}.", r.currency, r.rate, r.date)));
            rate.set(String::new());
            refresh.update(|n| *n += 1);
        },
    );
    let error = saver.error;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        added.set(None);
        let built = date
            .get_untracked()
            .parse()
            .map(|date| ExchangeRateInput { currency: currency.get_untracked(), rate: rate.get_untracked(), date })
            .map_err(|_| vec![FieldError::new("date", "is required")]);
        saver.submit(built);
    };
    let upload = Action::new_local(|_: &()| async move {
        let (_, text) = read_file("rates-file").await.map_err(|m| api::ApiError::local("file", &m))?;
        api::finance::upload_exchange_rates(text).await
    });
    Effect::new(move |_| {
        if let Some(Ok(rates)) = upload.value().get() {
            added.set(Some(format!("Added {} rates from the file.", rates.len())));
            refresh.update(|n| *n += 1);
        }
    });
    view! {
        <section class="panel" aria-labelledby="add-rate-title">
            <h2 id="add-rate-title">"Add a rate"</h2>
            <form class="inline-form" on:submit=submit>
                <TextField id="currency" label="Currency" value=currency error=error hint="ISO code, e.g. EUR" inline=true/>
                <TextField id="rate" label=per_unit.clone() value=rate error=error inputmode="decimal" hint="Exact, e.g. 1.0850" inline=true/>
                <TextField id="date" label="From" value=date error=error kind="date" inline=true/>
                <button class="btn btn-primary" type="submit">"Add rate"</button>
            </form>
            <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); added.set(None); upload.dispatch(()); }>
                <div class="field inline">
                    <label for="rates-file">"Or a CSV file (currency,rate,date)"</label>
                    <input id="rates-file" type="file" accept=".csv,text/csv"/>
                </div>
                <button class="btn" type="submit">"Upload rates"</button>
            </form>
            <div aria-live="polite">
                {move || added.get().map(|m| view! { <p class="banner banner-ok" role="status">{m}</p> })}
                {move || match upload.value().get() {
                    Some(Err(e)) if e.fields().iter().any(|f| f.row.is_some()) => view! {
                        <p class="banner banner-error" role="alert">"Nothing was added: fix these rows and upload the file again."</p>
                        <ProblemTable id="rate-errors" problems=e.fields().to_vec()/>
                    }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
        </section>
    }
}
