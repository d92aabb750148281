//! Saving a form: what the browser can check and what the server answers end up in one error signal, focus moves
//! to the first invalid field, and the saved record goes to `on_saved`.

use std::future::Future;

use leptos::prelude::*;
use seatwise_types::FieldError;

use crate::api::{ApiError, ApiResult};

pub struct Saver<I: 'static, T: 'static> {
    pub save: Action<I, ApiResult<T>>,
    pub error: RwSignal<Option<ApiError>>,
}

impl<I, T> Clone for Saver<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, T> Copy for Saver<I, T> {}

impl<I: Clone + Send + Sync + 'static, T: Clone + Send + Sync + 'static> Saver<I, T> {
    pub fn new<Fut>(send: impl Fn(I) -> Fut + 'static, on_saved: impl Fn(T) + 'static) -> Self
    where
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let save = Action::new_local(move |input: &I| send(input.clone()));
        let error = RwSignal::new(None::<ApiError>);
        Effect::new(move |_| match save.value().get() {
            Some(Ok(saved)) => on_saved(saved),
            Some(Err(e)) => {
                error.set(Some(e));
                focus_first_error();
            }
            None => {}
        });
        Saver { save, error }
    }

    /// Send what the form built, or show what kept it from building (e.g. "abc" typed as a number).
    pub fn submit(&self, built: Result<I, Vec<FieldError>>) {
        match built {
            Ok(input) => {
                self.error.set(None);
                self.save.dispatch(input);
            }
            Err(fields) => {
                self.error.set(Some(ApiError::invalid(fields)));
                focus_first_error();
            }
        }
    }
}

/// Move focus to the first field marked invalid, once the messages have rendered.
fn focus_first_error() {
    leptos::task::spawn_local(async {
        next_frame().await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[aria-invalid=\"true\"]").ok().flatten())
        {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
