//! The paylinks browser app (Leptos, client-side rendered): the merchant dashboard (`app`, the
//! `paylinks-app` binary) and the public checkout page (`checkout`, its own small binary).

pub mod api;
pub mod app;
pub mod checkout;
pub mod components;
pub mod form_support;
pub mod format;
pub mod link_form;
pub mod pages;
pub mod session;
