//! The identity provider's groups and the roles they give at every sign-in: a table admins edit and save whole.

use leptos::prelude::*;
use seatwise_types::{Department, GroupRoleMapping, Role};

use crate::api::{self, ApiError};
use crate::components::Loaded;

/// One row being edited: its own signals, and a key that stays with it when rows above are removed.
#[derive(Clone, Copy)]
struct Row {
    key: u32,
    group: RwSignal<String>,
    role: RwSignal<String>,
    department: RwSignal<String>,
}

impl Row {
    fn new(key: u32, m: Option<&GroupRoleMapping>) -> Row {
        Row {
            key,
            group: RwSignal::new(m.map(|m| m.group.clone()).unwrap_or_default()),
            role: RwSignal::new(m.map_or(Role::Approver, |m| m.role).as_str().to_string()),
            department: RwSignal::new(m.and_then(|m| m.department_id).map(|d| d.to_string()).unwrap_or_default()),
        }
    }

    fn mapping(&self) -> Option<GroupRoleMapping> {
        let role = Role::parse(&self.role.get_untracked())?;
        Some(GroupRoleMapping {
            group: self.group.get_untracked(),
            role,
            department_id: if role == Role::LicenseOwner { self.department.get_untracked().parse().ok() } else { None },
        })
    }
}

#[component]
pub fn SignInGroups() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let rows = api::settings::sign_in_groups().await?;
        Ok::<_, ApiError>((rows, api::catalog::departments().await?))
    });
    view! {
        <section class="panel" aria-labelledby="sign-in-groups-title">
            <h2 id="sign-in-groups-title">"Roles from the identity provider's groups"</h2>
            <p class="muted">"Members of a group get its role each time they sign in through the identity provider, and lose it when they leave the group. With no rows, roles stay as admins give them on the Users page."</p>
            <Loaded resource=loaded let:data>
                <GroupTable rows=data.0 departments=data.1/>
            </Loaded>
        </section>
    }
}

#[component]
fn GroupTable(rows: Vec<GroupRoleMapping>, departments: Vec<Department>) -> impl IntoView {
    let next = StoredValue::new(rows.len() as u32);
    let rows = RwSignal::new(rows.iter().enumerate().map(|(i, m)| Row::new(i as u32, Some(m))).collect::<Vec<_>>());
    let departments = StoredValue::new(departments);
    let save = Action::new_local(|rows: &Vec<GroupRoleMapping>| {
        let rows = rows.clone();
        async move { api::settings::set_sign_in_groups(&rows).await }
    });
    let add = move |_| {
        let key = next.get_value();
        next.set_value(key + 1);
        rows.update(|r| r.push(Row::new(key, None)));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mapping: Vec<GroupRoleMapping> = rows.get_untracked().iter().filter_map(Row::mapping).collect();
        save.dispatch(mapping);
    };
    let roles = [Role::Approver, Role::Finance, Role::LicenseOwner, Role::Admin];
    view! {
        <form novalidate on:submit=submit>
            <div aria-live="polite">
                {move || match save.value().get() {
                    Some(Ok(_)) => view! { <div class="banner banner-ok" role="status">"Mapping saved."</div> }.into_any(),
                    Some(Err(e)) => view! {
                        <div class="banner banner-error" role="alert">
                            {e.message()}
                            <ul>{e.fields().iter().map(|f| view! { <li>{format!("Row {}: {}", row_of(&f.path), f.message)}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            <div class="table-wrap" tabindex="0">
                <table class="table" id="sign-in-groups">
                    <thead><tr><th scope="col">"Group at the provider"</th><th scope="col">"Role"</th>
                        <th scope="col">"Department (license owners)"</th><th scope="col"><span class="sr-only">"Remove"</span></th></tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=|r| r.key let:row>
                            {
                                let n = move || rows.with(|all| all.iter().position(|r| r.key == row.key).unwrap_or(0) + 1);
                                view! {
                                    <tr>
                                        <td><input type="text" aria-label=move || format!("Group, row {}", n())
                                            prop:value=move || row.group.get() on:input=move |ev| row.group.set(event_target_value(&ev))/></td>
                                        <td><select aria-label=move || format!("Role, row {}", n())
                                            prop:value=move || row.role.get() on:change=move |ev| row.role.set(event_target_value(&ev))>
                                            {roles.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                                        </select></td>
                                        <td><select aria-label=move || format!("Department, row {}", n())
                                            disabled=move || row.role.get() != Role::LicenseOwner.as_str()
                                            prop:value=move || row.department.get() on:change=move |ev| row.department.set(event_target_value(&ev))>
                                            <option value="">"—"</option>
                                            {departments.get_value().into_iter().map(|d| view! { <option value=d.id.to_string()>{d.name}</option> }).collect_view()}
                                        </select></td>
                                        <td><button class="btn btn-small" type="button" aria-label=move || format!("Remove row {}", n())
                                            on:click=move |_| rows.update(|all| all.retain(|r| r.key != row.key))>"Remove"</button></td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button class="btn" type="button" on:click=add>"Add a group"</button>
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save mapping"</button>
            </div>
        </form>
    }
}

/// "Row 2" for the server's `[1].group`.
fn row_of(path: &str) -> String {
    path.strip_prefix('[')
        .and_then(|p| p.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .map_or_else(|| path.to_string(), |i| (i + 1).to_string())
}
