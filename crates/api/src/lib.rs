//! The paylinks v2 contract: the wire types the server writes and the app reads, the validation
//! rules both apply, and money in exact minor units. No I/O.

pub mod card;
pub mod catalog;
pub mod checkout;
pub mod checkout_rules;
pub mod country;
pub mod currency;
pub mod discount;
pub mod edit;
pub mod error;
pub mod event;
pub mod link;
pub mod list;
pub mod money;
pub mod payment;
pub mod public;
pub mod rules;
pub mod safe_url;
pub mod sample;
pub mod settings;
pub mod status;
pub mod v0;
pub mod validate;
pub mod webhook;
pub mod wire;

pub use currency::Currency;
pub use error::{ErrorBody, ErrorCode, FieldErrors};
pub use link::*;
pub use list::{LinkSort, ListQuery};
pub use public::{PublicLineItem, PublicLinkEnvelope, PublicPaymentLink};
pub use status::{LinkStatus, TargetStatus};
pub use wire::WireEnum;

/// The API version every response names in `RevKeen-Version`.
pub const API_VERSION: &str = "2026-05-01";
