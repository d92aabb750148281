//! Record and edit a contract: vendor, number, current term, renewal kind and notice, price, and the pools it
//! covers. The server validates; its field errors appear next to the fields.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{Contract, ContractDetail, ContractInput, FieldError, Money, Page, Pool, PoolQuery, CURRENCIES};

use crate::api::{self, ApiError};
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::Loaded;
use crate::format;
use crate::pages::record_id;

#[derive(Clone, Copy)]
struct Form {
    vendor_id: RwSignal<String>,
    number: RwSignal<String>,
    title: RwSignal<String>,
    term_start: RwSignal<String>,
    term_end: RwSignal<String>,
    term_months: RwSignal<String>,
    auto_renew: RwSignal<bool>,
    notice_days: RwSignal<String>,
    price: RwSignal<String>,
    currency: RwSignal<String>,
    vendor_contact: RwSignal<String>,
    documents: RwSignal<String>,
    pool_ids: RwSignal<Vec<i64>>,
    watcher_ids: RwSignal<Vec<i64>>,
}

impl Form {
    fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_string());
        Form {
            vendor_id: s(""),
            number: s(""),
            title: s(""),
            term_start: s(""),
            term_end: s(""),
            term_months: s("12"),
            auto_renew: RwSignal::new(true),
            notice_days: s("30"),
            price: s(""),
            currency: s("USD"),
            vendor_contact: s(""),
            documents: s(""),
            pool_ids: RwSignal::new(Vec::new()),
            watcher_ids: RwSignal::new(Vec::new()),
        }
    }

    fn fill(&self, d: &ContractDetail) {
        let c = &d.contract;
        self.vendor_id.set(c.vendor.id.to_string());
        self.number.set(c.number.clone());
        self.title.set(c.title.clone());
        self.term_start.set(c.term.start_date.to_string());
        self.term_end.set(c.term.end_date.to_string());
        self.term_months.set(c.term_months.to_string());
        self.auto_renew.set(c.auto_renew);
        self.notice_days.set(c.notice_days.to_string());
        if let Some(p) = &c.renewal_price {
            self.price.set(format::decimal(p));
            self.currency.set(p.currency.clone());
        }
        self.vendor_contact.set(c.vendor_contact.clone().unwrap_or_default());
        self.documents.set(c.documents.join("\n"));
        self.pool_ids.set(d.pools.iter().map(|p| p.pool.id).collect());
        self.watcher_ids.set(d.watchers.iter().map(|w| w.id).collect());
    }

    fn input(&self) -> Result<ContractInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut int = |path: &str, v: String, default: i64| -> i64 {
            match v.trim() {
                "" => default,
                t => t.parse().unwrap_or_else(|_| {
                    errors.push(FieldError::new(path, "must be a whole number"));
                    default
                }),
            }
        };
        let term_months = int("term_months", self.term_months.get_untracked(), 12);
        let notice_days = int("notice_days", self.notice_days.get_untracked(), 0);
        let currency = self.currency.get_untracked();
        let price_text = self.price.get_untracked();
        let renewal_price = match price_text.trim() {
            "" => None,
            t => match format::parse_amount(t, &currency) {
                Some(m) => Some(Money::new(m, currency)),
                None => {
                    errors.push(FieldError::new("renewal_price.amount_minor", "enter an amount such as 12000.00"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let date = |v: String| v.parse::<chrono::NaiveDate>().ok();
        let contact = self.vendor_contact.get_untracked();
        Ok(ContractInput {
            vendor_id: self.vendor_id.get_untracked().parse().unwrap_or(0),
            number: self.number.get_untracked(),
            title: self.title.get_untracked(),
            term_start: date(self.term_start.get_untracked()),
            term_end: date(self.term_end.get_untracked()),
            term_months: Some(term_months),
            auto_renew: self.auto_renew.get_untracked(),
            notice_days,
            renewal_price,
            vendor_contact: (!contact.trim().is_empty()).then_some(contact),
            documents: self
                .documents
                .get_untracked()
                .lines()
                .map(str::to_string)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            pool_ids: self.pool_ids.get_untracked(),
            watcher_ids: self.watcher_ids.get_untracked(),
        })
    }
}

#[component]
pub fn ContractCreatePage() -> impl IntoView {
    view! {
        <Shell title="New contract">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/renewals">"Renewals"</A><span aria-hidden="true">" / "</span><span>"New contract"</span></nav>
            <div class="page-head"><div><h1>"Record a contract"</h1>
                <p class="muted">"Its current term starts the renewal history; alerts follow its cancel-by or end date."</p></div></div>
            <ContractForm existing=None/>
        </Shell>
    }
}

#[component]
pub fn ContractEditPage() -> impl IntoView {
    let params = use_params_map();
    let detail = LocalResource::new(move || {
        let id = record_id(params.with(|p| p.get("id")));
        async move { api::contracts::get(id?).await }
    });
    view! {
        <Shell title="Edit contract">
            <Loaded resource=detail let:d>
                {
                    let (href, title) = (format!("/contracts/{}", d.contract.id), d.contract.title.clone());
                    let heading = format!("Edit {title}");
                    view! {
                        <nav class="breadcrumbs" aria-label="Breadcrumb"><A href=href>{title}</A>
                            <span aria-hidden="true">" / "</span><span>"Edit"</span></nav>
                        <div class="page-head"><div><h1>{heading}</h1>
                            <p class="muted">"The dates are those of the current term."</p></div></div>
                        <ContractForm existing=Some(d)/>
                    }
                }
            </Loaded>
        </Shell>
    }
}

#[component]
fn ContractForm(existing: Option<ContractDetail>) -> impl IntoView {
    let navigate = use_navigate();
    let form = Form::new();
    let editing = existing.as_ref().map(|d| d.contract.id);
    if let Some(d) = &existing {
        form.fill(d);
    }
    let lookups = LocalResource::new(api::catalog::lookups);
    // The pools of the chosen vendor that the caller can see (the server checks which they may attach).
    let pools = LocalResource::new(move || {
        let vendor_id = form.vendor_id.get().parse::<i64>().ok();
        async move {
            let Some(vendor_id) = vendor_id else {
                return Ok(Page { items: Vec::<Pool>::new(), total: 0, page: 1, per_page: 500 });
            };
            let query = PoolQuery {
                vendor_id: Some(vendor_id),
                per_page: Some(500),
                sort: Some("name".into()),
                ..Default::default()
            };
            api::pools::list(&query).await
        }
    });
    let loaded = existing.as_ref().map(|d| (d.contract.id, d.contract.version));
    let saver = Saver::<ContractInput, Contract>::new(
        move |input: ContractInput| async move {
            match loaded {
                Some((id, version)) => api::contracts::update(id, &input, version).await,
                None => api::contracts::create(&input).await,
            }
        },
        move |c| navigate(&format!("/contracts/{}", c.id), Default::default()),
    );
    let (save, error) = (saver.save, saver.error);
    let err: Signal<Option<ApiError>> = error.into();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saver.submit(form.input());
    };
    let vendors = Signal::derive(move || {
        lookups
            .get()
            .and_then(Result::ok)
            .map(|l| l.vendors.into_iter().map(|v| (v.id.to_string(), v.name)).collect())
            .unwrap_or_default()
    });
    let currencies: Vec<(String, String)> = CURRENCIES.iter().map(|(c, _)| (c.to_string(), c.to_string())).collect();
    view! {
        <form class="form panel" novalidate on:submit=submit>
            {move || error.get().map(|e| view! {
                <div class="banner banner-error" role="alert">
                    {if e.fields().is_empty() { e.message() } else { "Please correct the highlighted fields.".to_string() }}
                </div>
            })}
            <fieldset>
                <legend>"Contract"</legend>
                <div class="form-grid">
                    // A different vendor's pools cannot be covered, so choosing one clears the pools.
                    <SelectField id="vendor_id" label="Vendor" value=form.vendor_id options=vendors error=err placeholder="Choose a vendor"
                        on_change=Callback::new(move |_| form.pool_ids.set(Vec::new()))/>
                    <TextField id="number" label="Contract number" value=form.number error=err/>
                    <TextField id="title" label="Title" value=form.title error=err/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Current term and renewal"</legend>
                <div class="form-grid">
                    <TextField id="term_start" label="Term starts" value=form.term_start error=err kind="date"/>
                    <TextField id="term_end" label="Term ends (last day)" value=form.term_end error=err kind="date"/>
                    <TextField id="term_months" label="Renewal term (months)" value=form.term_months error=err kind="number"/>
                    <TextField id="notice_days" label="Notice period (days)" value=form.notice_days error=err kind="number"/>
                    <div class="field checkbox">
                        <input id="auto_renew" type="checkbox" prop:checked=move || form.auto_renew.get()
                            on:change=move |ev| form.auto_renew.set(event_target_checked(&ev))/>
                        <label for="auto_renew">"Renews automatically unless cancelled (tacit renewal)"</label>
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Price and vendor"</legend>
                <div class="form-grid">
                    <TextField id="renewal_price" label="Renewal price per term" value=form.price error=err inputmode="decimal"
                        path="renewal_price.amount_minor"/>
                    <SelectField id="currency" label="Currency" value=form.currency options=currencies error=err path="renewal_price.currency"/>
                    <TextField id="vendor_contact" label="Vendor contact" value=form.vendor_contact error=err rows=2 class="span-2"/>
                    <TextField id="documents" label="Documents (one link per line)" value=form.documents error=err rows=3 class="span-2" each=true/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Pools it covers"</legend>
                <Loaded resource=pools let:page>
                    {if page.items.is_empty() {
                        view! { <p class="muted">"Choose a vendor to list its pools."</p> }.into_any()
                    } else {
                        view! {
                        <div class="choices">
                            {page.items.into_iter().map(|p| {
                                let id = p.id;
                                let input_id = format!("pool-{id}");
                                let for_id = input_id.clone();
                                view! {
                                    <label class="choice" for=for_id>
                                        <input type="checkbox" id=input_id prop:checked=move || form.pool_ids.get().contains(&id)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                form.pool_ids.update(|ids| { ids.retain(|x| *x != id); if on { ids.push(id); } });
                                            }/>
                                        <span>{format!("{} · {}", p.name, p.department.name)}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                        }.into_any()
                    }}
                </Loaded>
                {move || err.get().map(|e| e.fields().iter().filter(|f| f.path.starts_with("pool_ids")).map(|f| {
                    view! { <p class="field-error" role="alert">{f.message.clone()}</p> }
                }).collect_view())}
            </fieldset>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else if editing.is_some() { "Save contract" } else { "Record contract" }}
                </button>
                <A href=editing.map(|id| format!("/contracts/{id}")).unwrap_or_else(|| "/renewals".into()) attr:class="btn btn-ghost">"Cancel"</A>
            </div>
        </form>
    }
}
