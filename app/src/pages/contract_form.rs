//! Record and edit a contract: vendor, number, current term, renewal kind and notice, price, and the pools it
//! covers. The server validates; its field errors appear next to the fields.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{Contract, ContractDetail, ContractInput, FieldError, Lookups, Money, Page, Pool, CURRENCIES};

use crate::api::{self, ApiError};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::{ErrorBanner, FieldMessage, Loading};
use crate::format;

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
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api::get::<ContractDetail>(&format!("/api/v1/contracts/{id}")).await }
    });
    view! {
        <Shell title="Edit contract">
            {move || match detail.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(d)) => {
                    let (href, title) = (format!("/contracts/{}", d.contract.id), d.contract.title.clone());
                    let heading = format!("Edit {title}");
                    view! {
                    <nav class="breadcrumbs" aria-label="Breadcrumb"><A href=href>{title}</A>
                        <span aria-hidden="true">" / "</span><span>"Edit"</span></nav>
                    <div class="page-head"><div><h1>{heading}</h1>
                        <p class="muted">"The dates are those of the current term."</p></div></div>
                    <ContractForm existing=Some(d)/>
                }.into_any()
                }
            }}
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
    let lookups = LocalResource::new(|| api::get::<Lookups>("/api/v1/lookups"));
    // The pools of the chosen vendor that the caller can see (the server checks which they may attach).
    let pools = LocalResource::new(move || {
        let vendor = form.vendor_id.get();
        async move {
            if vendor.is_empty() {
                return Ok(Page { items: Vec::<Pool>::new(), total: 0, page: 1, per_page: 500 });
            }
            api::get::<Page<Pool>>(&format!("/api/v1/pools?vendor_id={vendor}&per_page=500&sort=name")).await
        }
    });
    let loaded = existing.as_ref().map(|d| (d.contract.id, d.contract.version));
    let saver = Saver::<ContractInput, Contract>::upsert("/api/v1/contracts", loaded, move |c| {
        navigate(&format!("/contracts/{}", c.id), Default::default())
    });
    let (save, error) = (saver.save, saver.error);
    let err: Signal<Option<ApiError>> = error.into();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saver.submit(form.input());
    };
    let invalid = move |path: &'static str| {
        move || if err.get().is_some_and(|e| e.field(path).is_some()) { "true" } else { "false" }
    };
    let text_field = move |id: &'static str, label: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind aria-invalid=invalid(id) prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
                <FieldMessage error=err path=id/>
            </div>
        }
    };
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
                    <div class="field">
                        <label for="vendor_id">"Vendor"</label>
                        <select id="vendor_id" aria-invalid=invalid("vendor_id") on:change=move |ev| {
                            form.vendor_id.set(event_target_value(&ev));
                            form.pool_ids.set(Vec::new());
                        }>
                            <option value="">"Choose a vendor"</option>
                            {move || lookups.get().and_then(Result::ok).map(|l| l.vendors.into_iter().map(|v| {
                                let value = v.id.to_string();
                                let sel = value.clone();
                                view! { <option value=value selected=move || form.vendor_id.get() == sel>{v.name}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMessage error=err path="vendor_id"/>
                    </div>
                    {text_field("number", "Contract number", form.number, "text")}
                    {text_field("title", "Title", form.title, "text")}
                </div>
            </fieldset>
            <fieldset>
                <legend>"Current term and renewal"</legend>
                <div class="form-grid">
                    {text_field("term_start", "Term starts", form.term_start, "date")}
                    {text_field("term_end", "Term ends (last day)", form.term_end, "date")}
                    {text_field("term_months", "Renewal term (months)", form.term_months, "number")}
                    {text_field("notice_days", "Notice period (days)", form.notice_days, "number")}
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
                    <div class="field">
                        <label for="renewal_price">"Renewal price per term"</label>
                        <input id="renewal_price" inputmode="decimal" aria-invalid=invalid("renewal_price.amount_minor")
                            prop:value=move || form.price.get() on:input=move |ev| form.price.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="renewal_price.amount_minor"/>
                    </div>
                    <div class="field">
                        <label for="currency">"Currency"</label>
                        <select id="currency" on:change=move |ev| form.currency.set(event_target_value(&ev))>
                            {CURRENCIES.iter().map(|(code, _)| {
                                let code = *code;
                                view! { <option value=code selected=move || form.currency.get() == code>{code}</option> }
                            }).collect_view()}
                        </select>
                        <FieldMessage error=err path="renewal_price.currency"/>
                    </div>
                    <div class="field span-2">
                        <label for="vendor_contact">"Vendor contact"</label>
                        <textarea id="vendor_contact" rows="2" prop:value=move || form.vendor_contact.get()
                            on:input=move |ev| form.vendor_contact.set(event_target_value(&ev))></textarea>
                        <FieldMessage error=err path="vendor_contact"/>
                    </div>
                    <div class="field span-2">
                        <label for="documents">"Documents (one link per line)"</label>
                        <textarea id="documents" rows="3" aria-invalid=move || if err.get().is_some_and(|e| e.fields().iter().any(|f| f.path.starts_with("documents"))) { "true" } else { "false" }
                            prop:value=move || form.documents.get() on:input=move |ev| form.documents.set(event_target_value(&ev))></textarea>
                        {move || err.get().map(|e| e.fields().iter().filter(|f| f.path.starts_with("documents")).map(|f| {
                            view! { <p class="field-error" role="alert">{format!("{}: {}", f.path, f.message)}</p> }
                        }).collect_view())}
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Pools it covers"</legend>
                {move || match pools.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                    Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">"Choose a vendor to list its pools."</p> }.into_any(),
                    Some(Ok(page)) => view! {
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
                    }.into_any(),
                }}
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
