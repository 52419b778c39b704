//! What the dashboard and the checkout page share: the API error type and request sending, form
//! support (field messages, focus, idempotency keys), money and date formatting, the labelled
//! input and select, and the failed-load state. Both depend on this and never on each other.

pub mod api;
pub mod error_state;
pub mod field;
pub mod form;
pub mod format;
pub mod select;
