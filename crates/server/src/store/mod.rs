//! Persistence on SQLite (embedded default) or PostgreSQL, through one set of queries.
//!
//! SQLite gets one writer connection and a read pool (WAL lets readers run beside the writer);
//! PostgreSQL shares one pool for both. Every write runs in a transaction on the writer.
//!
//! One entry style: every query is a method of what holds its connection. `Store` methods run on
//! the pools (reads on the read pool; a few standalone writes such as keys and page views), and
//! `Tx` methods run inside an open write transaction. So a query cannot run on the wrong
//! connection: a write cannot land on the read pool, and a read that must see the transaction's
//! own changes (or lock against a concurrent one) cannot run outside it.

mod catalog;
mod codec;
mod db;
mod events;
mod idempotency;
mod keys;
mod links;
mod live;
mod payments;
mod webhooks;

pub use catalog::{Cursor, NewProduct, PriceFilter, PriceLabels, StoredPrice};
pub use db::{is_unavailable, is_unique_violation, Backend, Scope, Store, Tx};
pub use events::EventFilter;
pub use idempotency::{Claim, Held, IdempotencyKey, StoredResponse, INITIAL_RECOVERY_POINT};
pub use keys::{parse_key, ApiKeyRecord, KeyOwner, NewApiKey};
pub use links::{StatusChange, StoredLink};
pub use live::{LiveAttempt, LivePayment};
pub use payments::Completion;
pub use webhooks::{
    Attempt, DeliveryFilter, DueDelivery, EndpointChange, NewEndpoint, Recipients, StoredEndpoint, Verdict,
    ROTATION_OVERLAP,
};
