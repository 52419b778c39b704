//! Who is signed in: the API key and the API base URL. Kept in memory and in sessionStorage
//! (gone with the tab); in localStorage only when the merchant ticks "remember on this device".

use crate::api::Client;
use crate::common::api::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

const STORAGE_KEY: &str = "paylinks.session";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub key: String,
    /// The API's origin; empty means the page's own.
    pub api_base: String,
    pub remember: bool,
    /// Shown in the header; filled in by the sign-in check.
    #[serde(default)]
    pub merchant_name: String,
}

impl Session {
    /// Sandbox keys see test data; the dashboard shows a "Test mode" banner for them.
    pub fn is_test_mode(&self) -> bool {
        !self.key.starts_with("rk_live_")
    }

    pub fn client(&self) -> Client {
        Client { base: self.api_base.clone(), key: self.key.clone() }
    }
}

/// The client of the signed-in merchant, or the error a page shows when signed out.
pub fn client_of(session: Option<Session>) -> Result<Client, ApiError> {
    session.map(|s| s.client()).ok_or(ApiError::SignedOut)
}

fn storage(persistent: bool) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    // Opt-in only: the merchant ticked "remember on this device".
    if persistent {
        window.local_storage().ok()?
    } else {
        window.session_storage().ok()?
    }
}

/// The saved session of this tab, else the remembered one of this device.
pub fn load() -> Option<Session> {
    [false, true].into_iter().find_map(|persistent| {
        let text = storage(persistent)?.get_item(STORAGE_KEY).ok()??;
        serde_json::from_str(&text).ok()
    })
}

pub fn save(session: &Session) {
    clear();
    if let (Some(store), Ok(text)) = (storage(session.remember), serde_json::to_string(session)) {
        let _ = store.set_item(STORAGE_KEY, &text);
    }
}

pub fn clear() {
    for persistent in [false, true] {
        if let Some(store) = storage(persistent) {
            let _ = store.remove_item(STORAGE_KEY);
        }
    }
}

#[derive(Clone, Copy)]
struct SignedIn(RwSignal<Option<Session>>);

/// Shares the saved session (if any) with every page below.
pub fn provide_session() {
    provide_context(SignedIn(RwSignal::new(load())));
}

/// The signed-in session (`None` when signed out).
pub fn use_session() -> RwSignal<Option<Session>> {
    expect_context::<SignedIn>().0
}
