//! Devices that hold per-device licenses: registered by asset tag, optionally used by a person.

use leptos::prelude::*;
use leptos_router::components::A;
use seatwise_types::{DeviceInput, Person};

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::person_picker::PersonPicker;
use crate::components::shell::Shell;
use crate::components::{EmptyState, Loaded};
use crate::session::use_session;

#[component]
pub fn DevicesPage() -> impl IntoView {
    let session = use_session();
    let devices = LocalResource::new(api::devices::list);
    let tag = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let user = RwSignal::new(None::<Person>);
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new_local(|input: &DeviceInput| {
        let input = input.clone();
        async move { api::devices::create(&input).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            tag.set(String::new());
            name.set(String::new());
            user.set(None);
            error.set(None);
            devices.refetch();
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let err: Signal<Option<ApiError>> = error.into();
    let can_register = move || session.can().record_contracts;
    view! {
        <Shell title="Devices">
            <div class="page-head"><div>
                <h1>"Devices"</h1>
                <p class="muted">"Machines that hold per-device licenses. A per-device seat names its device by asset tag."</p>
            </div></div>
            <Show when=can_register>
                <form class="panel form" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(DeviceInput { asset_tag: tag.get_untracked(), name: name.get_untracked(), person_id: user.get_untracked().map(|p| p.id) });
                }>
                    <h2>"Register a device"</h2>
                    <div class="form-grid">
                        <TextField id="asset_tag" label="Asset tag" value=tag error=err/>
                        <TextField id="device_name" label="Name" value=name error=err path="name"/>
                        <div class="field">
                            {move || match user.get() {
                                Some(p) => view! { <p>"Used by " <strong>{p.name}</strong>" "
                                    <button class="btn btn-small" type="button" on:click=move |_| user.set(None)>"Change"</button></p> }.into_any(),
                                None => view! { <PersonPicker id="device-user" label="Used by (optional)" on_pick=Callback::new(move |p: Person| user.set(Some(p)))/> }.into_any(),
                            }}
                        </div>
                    </div>
                    <div class="form-actions">
                        <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Register device"</button>
                    </div>
                </form>
            </Show>
            <Loaded resource=devices let:list>
                {if list.is_empty() {
                    view! { <EmptyState title="No devices yet">"Register the machines that hold per-device licenses."</EmptyState> }.into_any()
                } else {
                    view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" id="devices">
                            <thead><tr><th scope="col">"Asset tag"</th><th scope="col">"Name"</th><th scope="col">"Used by"</th><th scope="col" class="num">"Seats"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| view! {
                                    <tr>
                                        <td><code>{d.asset_tag}</code></td>
                                        <td>{d.name}</td>
                                        <td>{d.person.map(|p| view! { <A href=format!("/people/{}", p.id)>{p.name}</A> })}</td>
                                        <td class="num">{d.seats_held}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    }.into_any()
                }}
            </Loaded>
        </Shell>
    }
}
