//! The public checkout page at `/l/{public_id}`, built as its own small binary (`checkout`) so a
//! customer's phone never downloads the dashboard. Mobile first; every control labelled; the
//! total is shown as the customer changes things, but the server computes what is charged.
//! After paying, the address bar says `?paid={payment_id}`, so a reload, back or forward shows
//! the confirmation again (answered by the server), never a fresh form for the same purchase.

pub mod api;
mod app;
mod confirmation;
mod fields;
pub mod form;
mod items;
pub mod markdown;
mod page;
mod promotion;
mod screen;
mod unavailable;

pub use app::{public_id_from_path, visit_from_query, CheckoutApp, CheckoutPreview, Visit};
