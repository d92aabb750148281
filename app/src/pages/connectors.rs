//! Connectors on the settings page (admins): where each pool's seat decisions will be pushed, a connection test
//! that says what works and what is missing, and the form that adds one. Credentials are typed here, sent once,
//! and never shown again.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{Connector, ConnectorInput, ConnectorKind, ConnectorTest, PoolTarget, Removal};

use crate::api::{self, ApiError};
use crate::components::fields::{SelectField, TextField};
use crate::components::form::Saver;
use crate::components::selection::PoolSelect;
use crate::components::{ErrorBanner, Loaded};

pub fn kind_label(k: ConnectorKind) -> &'static str {
    match k {
        ConnectorKind::Scim => "SCIM 2.0",
        ConnectorKind::Graph => "Microsoft Graph",
        ConnectorKind::Okta => "Okta",
        ConnectorKind::Manual => "Manual",
    }
}

/// The credential fields of every kind, typed once and never shown again.
#[derive(Clone, Copy)]
pub struct Secrets {
    pub token: RwSignal<String>,
    pub tenant: RwSignal<String>,
    pub client_id: RwSignal<String>,
    pub secret: RwSignal<String>,
}

impl Secrets {
    pub fn new() -> Self {
        Secrets {
            token: RwSignal::new(String::new()),
            tenant: RwSignal::new(String::new()),
            client_id: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
        }
    }

    pub fn clear(&self) {
        for s in [self.token, self.tenant, self.client_id, self.secret] {
            s.set(String::new());
        }
    }

    /// The credentials as the API takes them for `kind`; `None` for a manual connector, or when `keep_if_empty`
    /// and nothing was typed (an edit keeps the stored ones).
    pub fn credentials(
        &self,
        kind: ConnectorKind,
        keep_if_empty: bool,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let typed =
            [self.token, self.tenant, self.client_id, self.secret].iter().any(|s| !s.get_untracked().is_empty());
        if keep_if_empty && !typed {
            return None;
        }
        let field = |s: RwSignal<String>| serde_json::Value::String(s.get_untracked());
        match kind {
            ConnectorKind::Scim => Some(vec![("bearer_token", field(self.token))]),
            ConnectorKind::Okta => Some(vec![("api_token", field(self.token))]),
            ConnectorKind::Graph => Some(vec![
                ("tenant_id", field(self.tenant)),
                ("client_id", field(self.client_id)),
                ("client_secret", field(self.secret)),
            ]),
            ConnectorKind::Manual => None,
        }
        .map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

/// The credential fields for the kind chosen (`kind` as its API name).
#[component]
pub fn SecretFields(
    kind: Signal<String>,
    secrets: Secrets,
    #[prop(into)] error: Signal<Option<ApiError>>,
    /// Said under each field.
    hint: &'static str,
) -> impl IntoView {
    let is = move |k: &'static str| move || kind.get() == k;
    view! {
        <Show when=is("scim")>
            <TextField id="connector-token" path="credentials.bearer_token" label="Bearer token" value=secrets.token error=error kind="password" autocomplete="off" hint=hint/>
        </Show>
        <Show when=is("okta")>
            <TextField id="connector-okta-token" path="credentials.api_token" label="API token" value=secrets.token error=error kind="password" autocomplete="off" hint=hint/>
        </Show>
        <Show when=is("graph")>
            <TextField id="connector-tenant" path="credentials.tenant_id" label="Tenant id" value=secrets.tenant error=error hint=hint/>
            <TextField id="connector-client" path="credentials.client_id" label="Client id" value=secrets.client_id error=error hint=hint/>
            <TextField id="connector-secret" path="credentials.client_secret" label="Client secret" value=secrets.secret error=error kind="password" autocomplete="off" hint=hint/>
        </Show>
    }
}

/// A pace as typed: empty for none.
pub fn pace_of(text: &str) -> Result<Option<i64>, Vec<seatwise_types::FieldError>> {
    match text.trim() {
        "" => Ok(None),
        n => n.parse::<i64>().map(Some).map_err(|_| {
            vec![seatwise_types::FieldError::new(
                "max_actions_per_minute",
                "give a whole number of actions a minute, or leave it empty",
            )]
        }),
    }
}

/// How a seat may be removed, as a select offers it.
pub fn removal_options() -> Vec<(String, String)> {
    vec![
        ("deactivate".to_string(), "Deactivate the account".to_string()),
        ("delete".to_string(), "Delete the account".to_string()),
        ("group".to_string(), "Remove from the license group".to_string()),
    ]
}

#[component]
pub fn Connectors() -> impl IntoView {
    let list = LocalResource::new(api::connectors::list);
    let tested = RwSignal::new(None::<Result<ConnectorTest, ApiError>>);
    let test = Action::new_local(|id: &i64| {
        let id = *id;
        async move { api::connectors::test(id).await }
    });
    Effect::new(move |_| {
        if let Some(r) = test.value().get() {
            tested.set(Some(r));
        }
    });
    view! {
        <section class="panel" aria-labelledby="connectors-title">
            <h2 id="connectors-title">"Connectors"</h2>
            <p class="muted">"Where each pool's seat decisions will be pushed: a SCIM app, Microsoft Graph, Okta, or a person by hand. Credentials are sealed when saved and never shown again."</p>
            <Loaded resource=list let:page>
                {if page.items.is_empty() {
                    view! { <p class="muted">"No connectors yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table" id="connectors">
                                <thead><tr>
                                    <th scope="col">"Connector"</th><th scope="col">"Kind"</th><th scope="col">"Pools"</th>
                                    <th scope="col">"Credentials"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr></thead>
                                <tbody>{page.items.into_iter().map(|c: Connector| {
                                    let id = c.id;
                                    let pools = c.pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
                                    let label = format!("Test {}", c.name);
                                    view! {
                                        <tr>
                                            <td><A href=format!("/connectors/{id}") attr:class="row-link">{c.name.clone()}</A><div class="muted small break">{c.base_url.clone().unwrap_or_default()}</div></td>
                                            <td>{kind_label(c.kind)}{c.dry_run.then(|| view! { <div class="muted small">"dry run"</div> })}</td>
                                            <td>{if pools.is_empty() { "—".to_string() } else { pools }}</td>
                                            <td>{if c.credentials_set { "Set" } else { "—" }}</td>
                                            <td>{(c.kind != ConnectorKind::Manual).then(|| view! {
                                                <button class="btn btn-small" type="button" aria-label=label disabled=move || test.pending().get()
                                                    on:click=move |_| { tested.set(None); test.dispatch(id); }>"Test"</button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </Loaded>
            <div aria-live="polite">
                {move || test.pending().get().then(|| view! { <p class="muted">"Testing…"</p> })}
                {move || match tested.get() {
                    Some(Ok(t)) => Some(view! {
                        <div class=if t.ok { "banner banner-ok" } else { "banner banner-warn" } role="status">
                            <strong>{if t.ok { "Everything works." } else { "Something is missing." }}</strong>
                            <ul>{t.checks.into_iter().map(|c| view! {
                                <li>{if c.ok { "✓ " } else { "✗ " }}{c.detail}</li>
                            }).collect_view()}</ul>
                        </div>
                    }.into_any()),
                    Some(Err(e)) => Some(view! { <ErrorBanner error=e/> }.into_any()),
                    None => None,
                }}
            </div>
            <NewConnector on_saved=Callback::new(move |_| list.refetch())/>
        </section>
    }
}

#[component]
fn NewConnector(on_saved: Callback<()>) -> impl IntoView {
    let kind = RwSignal::new("scim".to_string());
    let name = RwSignal::new(String::new());
    let base_url = RwSignal::new(String::new());
    let secrets = Secrets::new();
    let pool = RwSignal::new(String::new());
    let removal = RwSignal::new("deactivate".to_string());
    let group = RwSignal::new(String::new());
    let pace = RwSignal::new(String::new());
    let dry_run = RwSignal::new(false);
    let saver = Saver::new(
        |input: ConnectorInput| async move { api::connectors::create(&input).await },
        move |_| {
            for s in [name, base_url, pool, group, pace] {
                s.set(String::new());
            }
            secrets.clear();
            dry_run.set(false);
            on_saved.run(());
        },
    );
    let err: Signal<Option<ApiError>> = saver.error.into();
    let build = move || {
        let kind = ConnectorKind::parse(&kind.get_untracked()).unwrap_or(ConnectorKind::Manual);
        Ok(ConnectorInput {
            kind,
            name: name.get_untracked(),
            base_url: Some(base_url.get_untracked()).filter(|u| !u.trim().is_empty()),
            credentials: secrets.credentials(kind, false),
            pool_ids: pool.get_untracked().parse().ok().into_iter().collect(),
            removal: if kind == ConnectorKind::Okta {
                Removal::Group
            } else {
                Removal::parse(&removal.get_untracked()).unwrap_or(Removal::Deactivate)
            },
            dry_run: dry_run.get_untracked(),
            max_actions_per_minute: pace_of(&pace.get_untracked())?,
            targets: match (pool.get_untracked().parse::<i64>(), group.get_untracked().trim()) {
                (Ok(pool_id), g) if !g.is_empty() => vec![PoolTarget { pool_id, group: g.to_string() }],
                _ => Vec::new(),
            },
        })
    };
    let kinds = vec![
        ("scim".to_string(), "SCIM 2.0".to_string()),
        ("graph".to_string(), "Microsoft Graph".to_string()),
        ("okta".to_string(), "Okta".to_string()),
        ("manual".to_string(), "Manual (no API)".to_string()),
    ];
    let is = move |k: &'static str| move || kind.get() == k;
    view! {
        <details class="start-campaign">
            <summary><strong>"Add a connector"</strong></summary>
            <form class="form-grid" novalidate on:submit=move |ev| { ev.prevent_default(); saver.submit(build()); }>
                <SelectField id="connector-kind" path="kind" label="Kind" value=kind options=kinds error=err/>
                <TextField id="connector-name" path="name" label="Name" value=name error=err required=true/>
                <Show when=move || kind.get() != "manual">
                    <TextField id="connector-url" path="base_url" label="Base address" value=base_url error=err kind="url"
                        hint="https://…, e.g. the app's SCIM endpoint" class="span-2"/>
                </Show>
                <SecretFields kind=kind.into() secrets=secrets error=err hint="Sealed when saved, never shown again"/>
                <Show when=move || kind.get() != "manual" && kind.get() != "okta">
                    <SelectField id="connector-removal" path="removal" label="A seat is removed by" value=removal options=removal_options() error=err/>
                </Show>
                <PoolSelect id="connector-pool" label="Pool it acts on (more through the API)" value=pool/>
                <Show when=is("okta")>
                    <TextField id="connector-group" path="targets[0].group" label="The pool's Okta group (id)" value=group error=err
                        hint="00g…: people leave it when their seat is taken back"/>
                </Show>
                <Show when=move || kind.get() != "manual">
                    <PaceField value=pace error=err/>
                    <div class="field checkbox">
                        <input type="checkbox" id="connector-dry-run" prop:checked=move || dry_run.get()
                            on:change=move |ev| dry_run.set(event_target_checked(&ev))/>
                        <label for="connector-dry-run">"Start in dry run: record what would be sent, send nothing"</label>
                    </div>
                </Show>
                {move || err.get().filter(|e| e.fields().is_empty()).map(|e| view! { <div class="span-2"><ErrorBanner error=e/></div> })}
                // The pool's own problems (taken by another connector, no group for Okta): the select shows none.
                {move || err.get().map(|e| e.fields().iter().filter(|f| f.path.starts_with("pool_ids")).map(|f| f.message.clone())
                    .collect::<Vec<_>>()).filter(|m| !m.is_empty()).map(|m| view! {
                    <p class="field-error span-2" role="alert">{format!("Pool: {}", m.join("; "))}</p>
                })}
                <div class="button-row span-2">
                    <button class="btn btn-primary" type="submit" disabled=move || saver.save.pending().get()>
                        {move || if saver.save.pending().get() { "Saving…" } else { "Add the connector" }}
                    </button>
                </div>
            </form>
        </details>
    }
}

/// A connector's pace, as typed.
#[component]
pub fn PaceField(value: RwSignal<String>, #[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    view! {
        <TextField id="connector-pace" path="max_actions_per_minute" label="At most … actions a minute (optional)" value=value error=error
            kind="number" hint="For APIs with a quota; leave empty to go as fast as the target answers"/>
    }
}
