//! Long work the server reports on while it runs (an import applied, a change request's stage): poll its progress
//! while the request that started it is pending, and show it as a bar.

use std::future::Future;

use leptos::prelude::*;
use seatwise_types::JobProgress;

use crate::api::ApiResult;

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// While `pending` is true, ask `read` every 400 ms and keep the answer in `progress`; cleared when done. The page
/// may be left meanwhile: its signals are then disposed, so they are read and written with the `try_` forms.
pub fn poll_while<F, Fut>(pending: Memo<bool>, progress: RwSignal<Option<JobProgress>>, read: F)
where
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = ApiResult<JobProgress>> + 'static,
{
    leptos::task::spawn_local(async move {
        while pending.try_get_untracked().unwrap_or(false) {
            if let Ok(p) = read().await {
                if progress.try_set(Some(p)).is_some() {
                    return;
                }
            }
            sleep_ms(400).await;
        }
        let _ = progress.try_set(None);
    });
}

/// The latest progress as a labelled bar ("phase: done of total"), while the work it reports on is `pending`: a
/// reading that arrives as the work ends never leaves it standing.
#[component]
pub fn ProgressBar(progress: RwSignal<Option<JobProgress>>, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    move || {
        progress.get().filter(|p| p.total > 0 && pending.get()).map(|p| {
            view! {
                <label class="progress">
                    {format!("{}: {} of {}", p.phase, p.done, p.total)}
                    <progress max=p.total.to_string() value=p.done.to_string()></progress>
                </label>
            }
        })
    }
}
