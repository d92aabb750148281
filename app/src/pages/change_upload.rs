//! A change request from a CSV file: one operation per row. The file becomes a draft whose rows are all checked;
//! the draft page shows each row in error, and nothing is queued until it is clean and submitted.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use seatwise_types::ChangeRequestCsvQuery;

use crate::api::{self, ApiError};
use crate::components::fields::TextField;
use crate::components::file::read_file;
use crate::components::shell::Shell;
use crate::components::ErrorBanner;

const EXAMPLE: &str = "op,pool,person,from_person,to_person,from_pool,to_pool,seats_purchased
assign,Microsoft 365 E3,ada@example.com,,,,,
unassign,Microsoft 365 E3,E1042,,,,,
reassign,Adobe Creative Cloud,,grace@example.com,alan@example.com,,,
move,,linus@example.com,,,Microsoft 365 E3,Exchange Online (Plan 1),
set_seats,Figma Professional,,,,,,40
retire_pool,Legacy CAD,,,,,,";

#[component]
pub fn ChangeUploadPage() -> impl IntoView {
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let upload = Action::new_local(move |_: &()| async move {
        let (name, text) = read_file("change-file").await.map_err(|m| ApiError::local("file", &m))?;
        let title = Some(title.get_untracked()).filter(|t| !t.trim().is_empty());
        let reason = Some(reason.get_untracked()).filter(|t| !t.trim().is_empty());
        api::change_requests::create_from_csv(&ChangeRequestCsvQuery { title, reason, filename: Some(name) }, text)
            .await
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = upload.value().get() {
            navigate(&format!("/changes/{}", created.id), Default::default());
        }
    });
    let error = Signal::derive(move || upload.value().get().and_then(Result::err));
    view! {
        <Shell title="New change request from a file">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/changes">"Change requests"</A><span aria-hidden="true">" / "</span><span>"From a file"</span></nav>
            <div class="page-head"><div>
                <h1>"Change request from a file"</h1>
                <p class="muted">"Every row is checked and previewed first. Nothing changes until someone else approves the request and it is applied."</p>
            </div></div>
            <form class="form panel" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); upload.dispatch(()); }>
                <div class="form-grid">
                    <TextField id="title" label="Title" value=title error=error hint="The file's name unless given."/>
                    <TextField id="reason" label="Reason" value=reason error=error hint="Why, for the approver: asked before the request is submitted."/>
                    <div class="field span-2">
                        <label for="change-file">"CSV file"</label>
                        <input id="change-file" type="file" accept=".csv,text/csv" aria-describedby="change-file-hint err-file"
                            aria-invalid=move || error.get().is_some_and(|e| e.field("file").is_some()).to_string()/>
                        <p class="muted small" id="change-file-hint">"One operation per row, with a heading row. UTF-8, comma separated."</p>
                        {move || error.get().and_then(|e| e.field("file")).map(|m| view! { <p class="field-error" id="err-file" role="alert">{m}</p> })}
                    </div>
                </div>
                <div aria-live="polite">
                    {move || error.get().filter(|e| e.field("file").is_none() && e.field("title").is_none() && e.field("reason").is_none())
                        .map(|e| view! { <ErrorBanner error=e/> })}
                </div>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || upload.pending().get()>"Check the file"</button>
                </div>
            </form>
            <section class="panel" aria-labelledby="columns-h">
                <h2 id="columns-h">"Columns"</h2>
                <dl class="facts">
                    <dt><code>"op"</code></dt><dd><code>"assign"</code>", "<code>"unassign"</code>", "<code>"reassign"</code>" (one person's seat to another on the same pool), "
                        <code>"move"</code>" (a person from one pool to another), "<code>"set_seats"</code>" or "<code>"retire_pool"</code></dd>
                    <dt><code>"pool"</code></dt><dd>"The pool's id or exact name (assign, unassign, reassign, set_seats, retire_pool)"</dd>
                    <dt><code>"person"</code></dt><dd>"E-mail or employee id (assign, unassign, move)"</dd>
                    <dt><code>"from_person"</code>", "<code>"to_person"</code></dt><dd>"Who gives the seat up and who gets it (reassign)"</dd>
                    <dt><code>"from_pool"</code>", "<code>"to_pool"</code></dt><dd>"Where the person's seat is and where it goes (move)"</dd>
                    <dt><code>"seats_purchased"</code></dt><dd>"The new number of seats bought (set_seats)"</dd>
                </dl>
                <h3>"Example"</h3>
                <pre class="code-block" tabindex="0">{EXAMPLE}</pre>
            </section>
        </Shell>
    }
}
