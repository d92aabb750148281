//! Create and edit a pool. The server validates; its field errors appear next to the fields.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    BillingPeriod, FieldError, LicenseType, Lookups, Money, Page, Person, Pool, PoolInput, CURRENCIES,
};

use crate::api::{self, ApiError};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::{ErrorBanner, FieldMessage, Loading};
use crate::format;

/// The form's text state; everything is a string until submitted, like the inputs themselves.
#[derive(Clone, Copy)]
struct Form {
    name: RwSignal<String>,
    product_id: RwSignal<String>,
    tier: RwSignal<String>,
    license_type: RwSignal<String>,
    seats: RwSignal<String>,
    allow_overage: RwSignal<bool>,
    unit_cost: RwSignal<String>,
    currency: RwSignal<String>,
    billing_period: RwSignal<String>,
    cost_centre_id: RwSignal<String>,
    department_id: RwSignal<String>,
    owner_id: RwSignal<String>,
    contract_start: RwSignal<String>,
    contract_end: RwSignal<String>,
    auto_renew: RwSignal<bool>,
    notice_days: RwSignal<String>,
    po_number: RwSignal<String>,
    notes: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_string());
        Form {
            name: s(""),
            product_id: s(""),
            tier: s("standard"),
            license_type: s("per_user"),
            seats: s(""),
            allow_overage: RwSignal::new(false),
            unit_cost: s(""),
            currency: s("USD"),
            billing_period: s("monthly"),
            cost_centre_id: s(""),
            department_id: s(""),
            owner_id: s(""),
            contract_start: s(""),
            contract_end: s(""),
            auto_renew: RwSignal::new(true),
            notice_days: s("30"),
            po_number: s(""),
            notes: s(""),
        }
    }

    fn fill(&self, p: &Pool) {
        let opt = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        self.name.set(p.name.clone());
        self.product_id.set(p.product.id.to_string());
        self.tier.set(p.tier.clone());
        self.license_type.set(p.license_type.as_str().into());
        self.seats.set(p.seats_purchased.map(|s| s.to_string()).unwrap_or_default());
        self.allow_overage.set(p.allow_overage);
        self.unit_cost.set(format::decimal(&p.unit_cost));
        self.currency.set(p.unit_cost.currency.clone());
        self.billing_period.set(p.billing_period.as_str().into());
        self.cost_centre_id.set(p.cost_centre.id.to_string());
        self.department_id.set(p.department.id.to_string());
        self.owner_id.set(p.owner.as_ref().map(|o| o.id.to_string()).unwrap_or_default());
        self.contract_start.set(opt(p.contract_start));
        self.contract_end.set(opt(p.contract_end));
        self.auto_renew.set(p.auto_renew);
        self.notice_days.set(p.notice_days.map(|d| d.to_string()).unwrap_or_default());
        self.po_number.set(p.po_number.clone().unwrap_or_default());
        self.notes.set(p.notes.clone().unwrap_or_default());
    }

    /// Build the request. Only text that cannot be sent at all (e.g. "abc" as seats) is caught here.
    fn input(&self) -> Result<PoolInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut int = |path: &str, v: String| -> Option<i64> {
            let v = v.trim().to_string();
            if v.is_empty() {
                return None;
            }
            match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(path, "must be a whole number"));
                    None
                }
            }
        };
        let seats = int("seats_purchased", self.seats.get_untracked());
        let notice = int("notice_days", self.notice_days.get_untracked());
        let id = |v: String| v.parse::<i64>().unwrap_or(0);
        let currency = self.currency.get_untracked();
        let cost_text = self.unit_cost.get_untracked();
        let unit_cost = match format::parse_amount(&cost_text, &currency) {
            Some(amount) => Some(Money::new(amount, currency)),
            None => {
                errors.push(FieldError::new("unit_cost.amount_minor", "enter an amount such as 41.70"));
                None
            }
        };
        let date = |v: String| v.parse::<chrono::NaiveDate>().ok();
        let text = |v: String| if v.trim().is_empty() { None } else { Some(v) };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PoolInput {
            name: self.name.get_untracked(),
            product_id: id(self.product_id.get_untracked()),
            tier: self.tier.get_untracked(),
            license_type: LicenseType::parse(&self.license_type.get_untracked()),
            seats_purchased: seats,
            allow_overage: self.allow_overage.get_untracked(),
            unit_cost,
            billing_period: BillingPeriod::parse(&self.billing_period.get_untracked()),
            cost_centre_id: id(self.cost_centre_id.get_untracked()),
            department_id: id(self.department_id.get_untracked()),
            owner_id: self.owner_id.get_untracked().parse().ok(),
            contract_start: date(self.contract_start.get_untracked()),
            contract_end: date(self.contract_end.get_untracked()),
            auto_renew: self.auto_renew.get_untracked(),
            notice_days: notice,
            po_number: text(self.po_number.get_untracked()),
            notes: text(self.notes.get_untracked()),
        })
    }
}

#[component]
pub fn PoolCreatePage() -> impl IntoView {
    view! {
        <Shell title="New pool">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pools">"Inventory"</A><span aria-hidden="true">" / "</span><span>"New pool"</span></nav>
            <div class="page-head"><h1>"New license pool"</h1></div>
            <PoolForm existing=None/>
        </Shell>
    }
}

#[component]
pub fn PoolEditPage() -> impl IntoView {
    let params = use_params_map();
    let pool = LocalResource::new(move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api::get::<Pool>(&format!("/api/v1/pools/{id}")).await }
    });
    view! {
        <Shell title="Edit pool">
            {move || match pool.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(p)) => {
                    let back = format!("/pools/{}", p.id);
                    let name = p.name.clone();
                    let heading = format!("Edit {name}");
                    view! {
                        <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pools">"Inventory"</A><span aria-hidden="true">" / "</span>
                            <A href=back>{name.clone()}</A><span aria-hidden="true">" / "</span><span>"Edit"</span></nav>
                        <div class="page-head"><h1>{heading}</h1></div>
                        <PoolForm existing=Some(p)/>
                    }.into_any()
                }
            }}
        </Shell>
    }
}

#[component]
fn PoolForm(existing: Option<Pool>) -> impl IntoView {
    let navigate = use_navigate();
    let form = Form::new();
    let editing = existing.as_ref().map(|p| p.id);
    if let Some(p) = &existing {
        form.fill(p);
    }
    let lookups = LocalResource::new(|| api::get::<Lookups>("/api/v1/lookups"));
    // Default the department to the first one in scope for new pools.
    Effect::new(move |_| {
        if let Some(Ok(l)) = lookups.get() {
            if form.department_id.get_untracked().is_empty() {
                if let Some(d) = l.departments.first() {
                    form.department_id.set(d.id.to_string());
                }
            }
        }
    });
    let people = LocalResource::new(move || {
        let dept = form.department_id.get();
        async move {
            if dept.is_empty() {
                return Ok(Page { items: Vec::<Person>::new(), total: 0, page: 1, per_page: 500 });
            }
            api::get::<Page<Person>>(&format!("/api/v1/people?department_id={dept}&per_page=500")).await
        }
    });
    let saver =
        Saver::<PoolInput, Pool>::upsert("/api/v1/pools", existing.as_ref().map(|p| (p.id, p.version)), move |p| {
            navigate(&format!("/pools/{}", p.id), Default::default())
        });
    let (save, error) = (saver.save, saver.error);
    let err: Signal<Option<ApiError>> = error.into();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saver.submit(form.input());
    };
    // aria-invalid takes the strings "true"/"false"; a bare boolean attribute would render as "".
    let invalid = move |path: &'static str| {
        move || {
            if err.get().is_some_and(|e| e.field(path).is_some()) {
                "true"
            } else {
                "false"
            }
        }
    };
    let describedby = |path: &str| format!("err-{}", path.replace('.', "-"));
    view! {
        <form class="form panel" novalidate on:submit=submit>
            {move || error.get().map(|e| view! {
                <div class="banner banner-error" role="alert">
                    {if e.fields().is_empty() { e.message() } else { "Please correct the highlighted fields.".to_string() }}
                </div>
            })}
            <fieldset>
                <legend>"License"</legend>
                <div class="form-grid">
                    <div class="field span-2">
                        <label for="name">"Pool name"</label>
                        <input id="name" aria-invalid=invalid("name") aria-describedby=describedby("name")
                            prop:value=move || form.name.get() on:input=move |ev| form.name.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="name"/>
                    </div>
                    <div class="field">
                        <label for="product_id">"Product"</label>
                        <select id="product_id" aria-invalid=invalid("product_id") aria-describedby=describedby("product_id")
                            on:change=move |ev| form.product_id.set(event_target_value(&ev))>
                            <option value="">"Choose a product"</option>
                            {move || lookups.get().and_then(Result::ok).map(|l| l.products.into_iter().map(|p| {
                                let v = p.id.to_string();
                                let sel = v.clone();
                                view! { <option value=v selected=move || form.product_id.get() == sel>{format!("{} — {}", p.vendor.name, p.name)}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMessage error=err path="product_id"/>
                    </div>
                    <div class="field">
                        <label for="tier">"Tier"</label>
                        <input id="tier" list="tiers" prop:value=move || form.tier.get() on:input=move |ev| form.tier.set(event_target_value(&ev))/>
                        <datalist id="tiers"><option value="standard"/><option value="premium"/><option value="enterprise"/></datalist>
                        <FieldMessage error=err path="tier"/>
                    </div>
                    <div class="field">
                        <label for="license_type">"License type"</label>
                        <select id="license_type" on:change=move |ev| form.license_type.set(event_target_value(&ev))>
                            {LicenseType::ALL.iter().map(|t| {
                                let v = t.as_str();
                                view! { <option value=v selected=move || form.license_type.get() == v>{t.label()}</option> }
                            }).collect_view()}
                        </select>
                        <FieldMessage error=err path="license_type"/>
                    </div>
                    <div class="field">
                        <label for="seats_purchased">"Seats purchased"</label>
                        <input id="seats_purchased" type="number" inputmode="numeric" aria-invalid=invalid("seats_purchased")
                            aria-describedby=describedby("seats_purchased")
                            disabled=move || form.license_type.get() == "site"
                            prop:value=move || form.seats.get() on:input=move |ev| form.seats.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="seats_purchased"/>
                    </div>
                    <div class="field checkbox">
                        <input id="allow_overage" type="checkbox" prop:checked=move || form.allow_overage.get()
                            on:change=move |ev| form.allow_overage.set(event_target_checked(&ev))/>
                        <label for="allow_overage">"Allow more seats than purchased (true-up later)"</label>
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Cost"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="unit_cost">"Unit cost"</label>
                        <input id="unit_cost" inputmode="decimal" aria-invalid=invalid("unit_cost.amount_minor")
                            aria-describedby=describedby("unit_cost.amount_minor")
                            prop:value=move || form.unit_cost.get() on:input=move |ev| form.unit_cost.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="unit_cost.amount_minor"/>
                        <FieldMessage error=err path="unit_cost"/>
                    </div>
                    <div class="field">
                        <label for="currency">"Currency"</label>
                        <select id="currency" on:change=move |ev| form.currency.set(event_target_value(&ev))>
                            {CURRENCIES.iter().map(|(c, _)| {
                                let c = *c;
                                view! { <option value=c selected=move || form.currency.get() == c>{c}</option> }
                            }).collect_view()}
                        </select>
                        <FieldMessage error=err path="unit_cost.currency"/>
                    </div>
                    <div class="field">
                        <label for="billing_period">"Billed"</label>
                        <select id="billing_period" on:change=move |ev| form.billing_period.set(event_target_value(&ev))>
                            {BillingPeriod::ALL.iter().map(|b| {
                                let v = b.as_str();
                                view! { <option value=v selected=move || form.billing_period.get() == v>{b.label()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="cost_centre_id">"Cost centre"</label>
                        <select id="cost_centre_id" aria-invalid=invalid("cost_centre_id") aria-describedby=describedby("cost_centre_id")
                            on:change=move |ev| form.cost_centre_id.set(event_target_value(&ev))>
                            <option value="">"Choose a cost centre"</option>
                            {move || lookups.get().and_then(Result::ok).map(|l| l.cost_centres.into_iter().map(|c| {
                                let v = c.id.to_string();
                                let sel = v.clone();
                                view! { <option value=v selected=move || form.cost_centre_id.get() == sel>{format!("{} {}", c.code, c.name)}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMessage error=err path="cost_centre_id"/>
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Ownership"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="department_id">"Owning department"</label>
                        <select id="department_id" aria-invalid=invalid("department_id") aria-describedby=describedby("department_id")
                            on:change=move |ev| form.department_id.set(event_target_value(&ev))>
                            {move || lookups.get().and_then(Result::ok).map(|l| l.departments.into_iter().map(|d| {
                                let v = d.id.to_string();
                                let sel = v.clone();
                                view! { <option value=v selected=move || form.department_id.get() == sel>{d.name}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMessage error=err path="department_id"/>
                    </div>
                    <div class="field">
                        <label for="owner_id">"Owner"</label>
                        <select id="owner_id" on:change=move |ev| form.owner_id.set(event_target_value(&ev))>
                            <option value="">"No owner yet"</option>
                            {move || people.get().and_then(Result::ok).map(|page| page.items.into_iter().map(|p| {
                                let v = p.id.to_string();
                                let sel = v.clone();
                                view! { <option value=v selected=move || form.owner_id.get() == sel>{p.name}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMessage error=err path="owner_id"/>
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Contract"</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for="contract_start">"Start"</label>
                        <input id="contract_start" type="date" prop:value=move || form.contract_start.get()
                            on:input=move |ev| form.contract_start.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="contract_end">"End"</label>
                        <input id="contract_end" type="date" aria-invalid=invalid("contract_end") aria-describedby=describedby("contract_end")
                            prop:value=move || form.contract_end.get() on:input=move |ev| form.contract_end.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="contract_end"/>
                    </div>
                    <div class="field">
                        <label for="notice_days">"Notice period (days)"</label>
                        <input id="notice_days" type="number" inputmode="numeric" aria-invalid=invalid("notice_days")
                            aria-describedby=describedby("notice_days")
                            prop:value=move || form.notice_days.get() on:input=move |ev| form.notice_days.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="notice_days"/>
                    </div>
                    <div class="field checkbox">
                        <input id="auto_renew" type="checkbox" prop:checked=move || form.auto_renew.get()
                            on:change=move |ev| form.auto_renew.set(event_target_checked(&ev))/>
                        <label for="auto_renew">"Renews automatically unless cancelled"</label>
                    </div>
                    <div class="field">
                        <label for="po_number">"PO / order number"</label>
                        <input id="po_number" prop:value=move || form.po_number.get() on:input=move |ev| form.po_number.set(event_target_value(&ev))/>
                        <FieldMessage error=err path="po_number"/>
                    </div>
                    <div class="field span-2">
                        <label for="notes">"Notes"</label>
                        <textarea id="notes" rows="3" prop:value=move || form.notes.get() on:input=move |ev| form.notes.set(event_target_value(&ev))></textarea>
                        <FieldMessage error=err path="notes"/>
                    </div>
                </div>
            </fieldset>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else if editing.is_some() { "Save changes" } else { "Create pool" }}
                </button>
                <A href=editing.map(|id| format!("/pools/{id}")).unwrap_or_else(|| "/pools".into()) attr:class="btn btn-ghost">"Cancel"</A>
            </div>
        </form>
    }
}
