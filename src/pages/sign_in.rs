//! Sign in with an API key, checked with a real call before it is kept.

use crate::session::use_session;
use crate::session::{self, Session};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where to go after signing in: the page that was asked for, if it is one of ours (a path on
/// this site, never another origin), else the links.
pub fn after_sign_in(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/sign-in") =>
        {
            path.to_string()
        }
        _ => "/links".into(),
    }
}

/// Why a typed key cannot be right, before asking the server.
pub fn key_problem(key: &str) -> Option<&'static str> {
    if key.trim().is_empty() {
        Some("Paste your API key.")
    } else if !(key.starts_with("rk_sandbox_") || key.starts_with("rk_live_")) {
        Some("An API key starts with rk_sandbox_ or rk_live_.")
    } else {
        None
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let signed_in = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let key = RwSignal::new(String::new());
    let api_base = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let key_error = RwSignal::new(None::<&'static str>);

    let check = Action::new_local(move |candidate: &Session| {
        let candidate = candidate.clone();
        async move {
            let account = candidate.client().account().await?;
            Ok::<_, crate::common::api::ApiError>(Session { merchant_name: account.merchant_name, ..candidate })
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(session)) = check.value().get() {
            session::save(&session);
            signed_in.set(Some(session));
            navigate(&after_sign_in(query.get_untracked().get("next").as_deref()), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = key.get_untracked().trim().to_string();
        key_error.set(key_problem(&typed));
        if key_error.get_untracked().is_none() {
            let base = api_base.get_untracked().trim().trim_end_matches('/').to_string();
            check.dispatch(Session {
                key: typed,
                api_base: base,
                remember: remember.get_untracked(),
                merchant_name: String::new(),
            });
        }
    };
    let server_error = move || match check.value().get() {
        Some(Err(err)) => Some(err.message()),
        _ => None,
    };

    view! {
        <main class="page narrow">
            <h1>"Sign in to paylinks"</h1>
            <form on:submit=submit novalidate>
                <label for="api-key">"API key"</label>
                <input id="api-key" type="password" autocomplete="off" spellcheck="false"
                    aria-invalid=move || key_error.get().is_some().to_string()
                    aria-describedby="api-key-hint api-key-error"
                    prop:value=key on:input=move |ev| key.set(event_target_value(&ev))/>
                <p id="api-key-hint" class="hint">
                    "Your key starts with rk_sandbox_ (test mode) or rk_live_. The first start of the server prints a sandbox key; "
                    "make another with " <code>"paylinks keys create"</code> "."
                </p>
                <p id="api-key-error" class="field-error" aria-live="polite">{move || key_error.get()}</p>

                <label for="api-base">"API base URL (optional)"</label>
                <input id="api-base" type="url" placeholder="This page's own server" autocomplete="url"
                    prop:value=api_base on:input=move |ev| api_base.set(event_target_value(&ev))/>

                <label class="check">
                    <input type="checkbox" prop:checked=remember
                        on:change=move |ev| remember.set(event_target_checked(&ev))/>
                    "Remember on this device"
                </label>
                <Show when=move || remember.get()>
                    <p class="warning" role="note">
                        "The key stays in this browser after you close it. Only tick this on a device nobody else uses."
                    </p>
                </Show>

                <p class="form-error" role="alert">{server_error}</p>
                <button type="submit" disabled=move || check.pending().get()>
                    {move || if check.pending().get() { "Checking…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
