//! The paylinks browser app (Leptos, client-side rendered): the merchant dashboard.

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod link_form;
pub mod pages;
pub mod session;
