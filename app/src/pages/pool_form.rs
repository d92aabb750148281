//! Create and edit a pool. The server validates; its field errors appear next to the fields.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use seatwise_types::{
    BillingPeriod, FieldError, LicenseType, Lookups, Money, Page, PeopleQuery, Person, Pool, PoolInput, CURRENCIES,
};

use crate::api::{self, ApiError};
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::shell::Shell;
use crate::components::Loaded;
use crate::format;
use crate::pages::record_id;

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
        let id = record_id(params.with(|p| p.get("id")));
        async move { api::pools::get(id?).await }
    });
    view! {
        <Shell title="Edit pool">
            <Loaded resource=pool let:p>
                {
                    let back = format!("/pools/{}", p.id);
                    let name = p.name.clone();
                    let heading = format!("Edit {name}");
                    view! {
                        <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pools">"Inventory"</A><span aria-hidden="true">" / "</span>
                            <A href=back>{name.clone()}</A><span aria-hidden="true">" / "</span><span>"Edit"</span></nav>
                        <div class="page-head"><h1>{heading}</h1></div>
                        <PoolForm existing=Some(p)/>
                    }
                }
            </Loaded>
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
    let lookups = LocalResource::new(api::catalog::lookups);
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
        let department_id = form.department_id.get().parse::<i64>().ok();
        async move {
            let Some(department_id) = department_id else {
                return Ok(Page { items: Vec::<Person>::new(), total: 0, page: 1, per_page: 500 });
            };
            api::people::list(&PeopleQuery {
                department_id: Some(department_id),
                per_page: Some(500),
                ..Default::default()
            })
            .await
        }
    });
    let existing = existing.as_ref().map(|p| (p.id, p.version));
    let saver = Saver::<PoolInput, Pool>::new(
        move |input: PoolInput| async move {
            match existing {
                Some((id, version)) => api::pools::update(id, &input, version).await,
                None => api::pools::create(&input).await,
            }
        },
        move |p| navigate(&format!("/pools/{}", p.id), Default::default()),
    );
    let (save, error) = (saver.save, saver.error);
    let err: Signal<Option<ApiError>> = error.into();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saver.submit(form.input());
    };
    let looked_up = move |pick: fn(Lookups) -> Vec<(String, String)>| {
        Signal::derive(move || lookups.get().and_then(Result::ok).map(pick).unwrap_or_default())
    };
    let products = looked_up(|l| {
        l.products.into_iter().map(|p| (p.id.to_string(), format!("{} — {}", p.vendor.name, p.name))).collect()
    });
    let cost_centres = looked_up(|l| {
        l.cost_centres.into_iter().map(|c| (c.id.to_string(), format!("{} {}", c.code, c.name))).collect()
    });
    let departments = looked_up(|l| l.departments.into_iter().map(|d| (d.id.to_string(), d.name)).collect());
    let owners = Signal::derive(move || {
        people
            .get()
            .and_then(Result::ok)
            .map(|page| page.items.into_iter().map(|p| (p.id.to_string(), p.name)).collect())
            .unwrap_or_default()
    });
    let license_types: Vec<(String, String)> =
        LicenseType::ALL.iter().map(|t| (t.as_str().to_string(), t.label().to_string())).collect();
    let currencies: Vec<(String, String)> = CURRENCIES.iter().map(|(c, _)| (c.to_string(), c.to_string())).collect();
    let periods: Vec<(String, String)> =
        BillingPeriod::ALL.iter().map(|b| (b.as_str().to_string(), b.label().to_string())).collect();
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
                    <TextField id="name" label="Pool name" value=form.name error=err class="span-2"/>
                    <SelectField id="product_id" label="Product" value=form.product_id options=products error=err placeholder="Choose a product"/>
                    <TextField id="tier" label="Tier" value=form.tier error=err suggestions=&["standard", "premium", "enterprise"]/>
                    <SelectField id="license_type" label="License type" value=form.license_type options=license_types error=err/>
                    <TextField id="seats_purchased" label="Seats purchased" value=form.seats error=err kind="number" inputmode="numeric"
                        disabled=Signal::derive(move || form.license_type.get() == "site")/>
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
                    <TextField id="unit_cost" label="Unit cost" value=form.unit_cost error=err inputmode="decimal"
                        path="unit_cost.amount_minor" also="unit_cost"/>
                    <SelectField id="currency" label="Currency" value=form.currency options=currencies error=err path="unit_cost.currency"/>
                    <SelectField id="billing_period" label="Billed" value=form.billing_period options=periods error=err/>
                    <SelectField id="cost_centre_id" label="Cost centre" value=form.cost_centre_id options=cost_centres error=err
                        placeholder="Choose a cost centre"/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Ownership"</legend>
                <div class="form-grid">
                    <SelectField id="department_id" label="Owning department" value=form.department_id options=departments error=err/>
                    <SelectField id="owner_id" label="Owner" value=form.owner_id options=owners error=err placeholder="No owner yet"/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Contract"</legend>
                <div class="form-grid">
                    <TextField id="contract_start" label="Start" value=form.contract_start error=err kind="date"/>
                    <TextField id="contract_end" label="End" value=form.contract_end error=err kind="date"/>
                    <TextField id="notice_days" label="Notice period (days)" value=form.notice_days error=err kind="number" inputmode="numeric"/>
                    <div class="field checkbox">
                        <input id="auto_renew" type="checkbox" prop:checked=move || form.auto_renew.get()
                            on:change=move |ev| form.auto_renew.set(event_target_checked(&ev))/>
                        <label for="auto_renew">"Renews automatically unless cancelled"</label>
                    </div>
                    <TextField id="po_number" label="PO / order number" value=form.po_number error=err/>
                    <TextField id="notes" label="Notes" value=form.notes error=err rows=3 class="span-2"/>
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
