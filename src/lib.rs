//! The paylinks browser app (Leptos, client-side rendered): the merchant dashboard (`app` and the
//! modules beside it, the `paylinks-app` binary) and the public checkout page (`checkout`, its own
//! small binary). Both use `common`; neither uses the other.

pub mod api;
pub mod app;
pub mod checkout;
pub mod common;
pub mod components;
pub mod link_form;
pub mod pages;
pub mod session;
