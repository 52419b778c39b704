//! The paylinks browser app (Leptos, client-side rendered).

pub mod api;
pub mod app;
