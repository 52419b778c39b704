//! What the dashboard and the checkout page share: the API error type and request sending, form
//! support (field messages, focus, idempotency keys), money and date formatting, the labelled
//! input and select, names from the browser's `Intl`, and the failed-load state. Both depend on
//! this; the dashboard also shows the checkout's page as its create form's preview, and the
//! checkout never depends on the dashboard.

pub mod api;
pub mod error_state;
pub mod field;
pub mod form;
pub mod format;
pub mod intl;
pub mod select;
