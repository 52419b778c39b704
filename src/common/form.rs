//! What every form of the app needs: the time as the browser knows it, moving the keyboard to
//! the first problem, one idempotency key per distinct request, and the message under each field.

use crate::common::api::ApiError;
use leptos::prelude::*;
use paylinks_api::FieldErrors;
use std::collections::HashSet;

/// Now, from the browser's clock.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Puts the keyboard on the first field that needs attention, once the page has re-rendered.
pub fn focus_first_invalid() {
    focus("[aria-invalid=true]");
}

/// Moves the keyboard to the first element matching `selector`, once the page has rendered.
pub fn focus(selector: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}

/// Runs `work` unless a run is under way (`busy` says so meanwhile: a double click acts once),
/// then hands its outcome to `done`.
pub fn run_exclusive<T: 'static>(
    busy: RwSignal<bool>,
    work: impl std::future::Future<Output = Result<T, ApiError>> + 'static,
    done: impl FnOnce(Result<T, ApiError>) + 'static,
) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    leptos::task::spawn_local(async move {
        let outcome = work.await;
        busy.set(false);
        done(outcome);
    });
}

/// The server's message on `field` (or on an entry of the list `field`) in a failed answer.
pub fn server_message<T>(outcome: Option<&Result<T, ApiError>>, field: &str) -> Option<String> {
    let errors = outcome?.as_ref().err()?.field_errors();
    let found = errors.iter().find(|(f, _)| *f == field || f.starts_with(&format!("{field}[")));
    found.map(|(_, messages)| messages.join(" "))
}

/// The message under `field`: why what was typed there cannot be read, else the server's
/// verdict on the last attempt.
pub fn field_message<T>(
    unreadable: &FieldErrors,
    outcome: Option<&Result<T, ApiError>>,
    field: &str,
) -> Option<String> {
    unreadable.get(field).map(String::from).or_else(|| server_message(outcome, field))
}

/// A failed answer that names no field, in words.
pub fn general_message<T>(outcome: Option<&Result<T, ApiError>>) -> Option<String> {
    let err = outcome?.as_ref().err()?;
    err.field_errors().is_empty().then(|| err.message())
}

/// The idempotency key for `request`: the previous one while the request is unchanged, so a
/// double click or a retry after a lost answer can never act twice.
pub fn key_for<T: PartialEq>(previous: Option<(T, String)>, request: &T) -> String {
    match previous {
        Some((sent, key)) if &sent == request => key,
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

/// What a form shows under each field: its own rules' verdict once the field has been changed
/// and left (or the form submitted), else the server's verdict on the last attempt. Tabbing past
/// a field says nothing.
#[derive(Clone, Copy)]
pub struct FieldMessages {
    pub submitted: RwSignal<bool>,
    changed: RwSignal<HashSet<String>>,
    touched: RwSignal<HashSet<String>>,
    local: Memo<FieldErrors>,
    pub server: RwSignal<FieldErrors>,
}

impl FieldMessages {
    pub fn new(local: Memo<FieldErrors>) -> FieldMessages {
        FieldMessages {
            submitted: RwSignal::new(false),
            changed: RwSignal::new(HashSet::new()),
            touched: RwSignal::new(HashSet::new()),
            local,
            server: RwSignal::new(FieldErrors::default()),
        }
    }

    /// The message under `field`, if any, as the page changes.
    pub fn for_field(self, field: String) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
        move || {
            let shown = self.submitted.get() || self.touched.with(|t| t.contains(&field));
            let local = self.local.with(|e| e.get(&field).map(String::from)).filter(|_| shown);
            local.or_else(|| self.server.with(|e| e.get(&field).map(String::from)))
        }
    }

    /// Every error the page shows or will show on submit: the server's, and the form's own once
    /// it was submitted.
    pub fn all(self) -> Signal<FieldErrors> {
        Signal::derive(move || {
            let mut errors = self.server.get();
            if self.submitted.get() {
                errors.merge_missing(self.local.get());
            }
            errors
        })
    }

    /// The customer or merchant has left `field`: if they changed it, its own rules may speak now.
    pub fn leave(self, field: &str) {
        if self.changed.with_untracked(|c| c.contains(field)) {
            self.touched.update(|t| {
                t.insert(field.to_string());
            });
        }
    }

    /// Editing `field` clears the server's verdict on it, and on the list it is part of.
    pub fn edited(self, field: &str) {
        if !self.changed.with_untracked(|c| c.contains(field)) {
            self.changed.update_untracked(|c| {
                c.insert(field.to_string());
            });
        }
        self.server.update(|e| {
            e.remove(field);
            if let Some((list, _)) = field.split_once('[') {
                e.remove(list);
            }
        });
    }
}
