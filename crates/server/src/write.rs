//! The one shape of every write, read top to bottom in each handler:
//!
//! ```text
//! let mut write = match WriteTx::begin(&state, request).await { Ok(w) => w, Err(answer) => return answer };
//! let outcome = do_the_work(&mut write).await;   // queries on write.db(), write.record(event, …)
//! write.finish(outcome).await                    // stores the answer under the key, commits
//! ```
//!
//! `begin` answers a retry from its stored reply (or a conflict) or opens a write transaction that
//! claims the request's Idempotency-Key. The work runs under a savepoint: a failed statement is
//! undone without losing the claim, so a 4xx is stored and replayed like a 2xx; a 5xx rolls
//! everything back. What happened is recorded with `record`, in the same transaction as the change
//! (no event without its change, no change without its event).
//!
//! A write that calls another system in the middle splits into phases: `checkpoint` commits the
//! phase done so far with a named recovery point and closes the transaction (call the other system
//! now, holding nothing); `resume` opens the next phase. A retry after a crash claims the key again
//! from its last recovery point (`recovery_point()`), so no finished phase runs twice. A retry
//! may take the key over only once its holder's lease (60 s from its last phase) has run out; the
//! holder then finds out at its next step (`resume`, `checkpoint` or `finish` answer 409
//! `idempotency_in_progress`, rolling back its unfinished phase), so one request at a time runs
//! each phase.

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult, Reply};
use crate::idempotency::{answer, in_progress, stored, WriteRequest};
use crate::ids::random_base62;
use crate::state::AppState;
use crate::store::{Held, IdempotencyKey, Recipients, Scope, Tx, INITIAL_RECOVERY_POINT};
use chrono::{DateTime, Utc};
use paylinks_api::event::{Event, EventData, EventRequest, EventType};
use paylinks_api::API_VERSION;
use serde::Serialize;
use std::sync::Arc;

/// A write in progress: an open transaction (and, under a key, its claim).
pub struct WriteTx {
    tx: Tx,
    phase: Phase,
    now: DateTime<Utc>,
    /// Each event's own time, so that events of one write keep the order they were recorded in.
    clock: Arc<dyn Clock>,
}

/// What a write carries from phase to phase.
struct Phase {
    scope: Scope,
    key: Option<IdempotencyKey>,
    /// Where the write stands, and (under a key) the token that proves the key is still ours.
    held: Held,
    request: EventRequest,
}

/// Runs one write of an API key's (create, change, archive, …) in the one shape: claim the key,
/// do `work` in the scope, store the answer.
pub async fn keyed_write(
    state: &AppState,
    authed: &crate::auth::Authed,
    method: axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    work: impl AsyncFnOnce(&mut WriteTx, Scope) -> ApiResult<Reply>,
) -> Reply {
    let scope = authed.scope();
    let request = WriteRequest::new(scope, &method, uri.path(), headers, body);
    let mut write = match WriteTx::begin(state, request).await {
        Ok(write) => write,
        Err(answer) => return answer,
    };
    let outcome = work(&mut write, scope).await;
    write.finish(outcome).await
}

/// A write between two phases: the last one is committed and no transaction is open.
pub struct BetweenPhases {
    phase: Phase,
}

impl WriteTx {
    /// Opens the write for `request`, or gives the answer it gets instead: the stored reply of a
    /// finished request with the same key, a key conflict, or an error.
    pub async fn begin(state: &AppState, request: WriteRequest<'_>) -> Result<WriteTx, Reply> {
        let key = request.key()?;
        let now = state.clock.now();
        if let Some(key) = &key {
            // Most retries find a finished response: answer them from the read pool.
            let found = state.store.find_idempotent(key, now).await.map_err(ApiError::from)?;
            if let Some(Err(reply)) = found.map(answer) {
                return Err(reply);
            }
        }
        let mut tx = state.store.begin().await.map_err(ApiError::from)?;
        let held = match &key {
            Some(key) => answer(tx.claim_key(key, now).await.map_err(ApiError::from)?)?,
            None => Held { recovery_point: INITIAL_RECOVERY_POINT.to_string(), holder: String::new() },
        };
        tx.start_work().await.map_err(ApiError::from)?;
        let event_request =
            EventRequest { id: request.request_id(), idempotency_key: key.as_ref().map(|k| k.key.clone()) };
        let phase = Phase { scope: request.scope, key, held, request: event_request };
        Ok(WriteTx { tx, phase, now, clock: state.clock.clone() })
    }

    /// The open transaction, for the store's queries.
    pub fn db(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// The time of this write (one reading for all of it).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Where this write starts: `started`, or the last recovery point a crashed attempt committed.
    pub fn recovery_point(&self) -> &str {
        &self.phase.held.recovery_point
    }

    /// Records what happened, in this transaction: `object` as the API returns it after the
    /// change, and on updates the changed attributes as they were.
    pub async fn record(
        &mut self,
        event_type: EventType,
        object: &impl Serialize,
        previous_attributes: Option<serde_json::Value>,
    ) -> ApiResult<()> {
        let (scope, request) = (self.phase.scope, self.phase.request.clone());
        Ok(record_in(&mut self.tx, scope, event_type, object, previous_attributes, request, self.clock.now()).await?)
    }

    /// Commits the phase done so far as `recovery_point` and closes the transaction.
    pub async fn checkpoint(mut self, recovery_point: &str) -> ApiResult<BetweenPhases> {
        self.tx.keep_work().await?;
        if let Some(key) = &self.phase.key {
            if !self.tx.set_recovery_point(key, &self.phase.held, recovery_point, self.clock.now()).await? {
                return Err(in_progress());
            }
        }
        self.tx.commit().await?;
        self.phase.held.recovery_point = recovery_point.to_string();
        Ok(BetweenPhases { phase: self.phase })
    }

    /// Ends the write with the work's outcome: a 2xx or 4xx is committed and stored under the
    /// key; a 5xx or 429 (or a failure to commit) rolls everything back and is not stored.
    pub async fn finish(self, outcome: ApiResult<Reply>) -> Reply {
        match self.try_finish(outcome).await {
            Ok(reply) => reply,
            Err(err) => err.into(),
        }
    }

    async fn try_finish(mut self, outcome: ApiResult<Reply>) -> ApiResult<Reply> {
        let reply = match outcome {
            Ok(reply) => {
                self.tx.keep_work().await?;
                reply
            }
            Err(err) => {
                self.tx.undo_work().await?;
                Reply::from(err)
            }
        };
        // A 5xx, or a 429 (the request was not allowed to run), rolls back and is not stored:
        // a retry runs.
        if reply.status.is_server_error() || reply.status == axum::http::StatusCode::TOO_MANY_REQUESTS {
            return Ok(reply);
        }
        if let Some(key) = &self.phase.key {
            if !self.tx.complete_key(key, &self.phase.held, &stored(&reply)).await? {
                return Err(in_progress());
            }
        }
        self.tx.commit().await?;
        Ok(reply)
    }
}

/// Records what happened in `tx`, the transaction of the change (for writes outside a request's
/// `WriteTx`: what Stripe tells us, the reconciler).
pub async fn record_in(
    tx: &mut Tx,
    scope: Scope,
    event_type: EventType,
    object: &impl Serialize,
    previous_attributes: Option<serde_json::Value>,
    request: EventRequest,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let event = Event {
        id: format!("evt_{}", random_base62(24)),
        object: "event".into(),
        event_type,
        created: at.timestamp(),
        livemode: scope.livemode,
        api_version: API_VERSION.into(),
        account: scope.merchant_id,
        data: EventData { object: serde_json::to_value(object).expect("API objects serialise"), previous_attributes },
        request,
    };
    tx.insert_event(scope, &event, at, Recipients::Subscribers).await
}

impl BetweenPhases {
    /// Where the write stands.
    pub fn recovery_point(&self) -> &str {
        &self.phase.held.recovery_point
    }

    /// Gives the write up for now (its answer asks the client to retry): a retry may take the key
    /// over at once and resumes from the last recovery point.
    pub async fn release(self, state: &AppState) -> ApiResult<()> {
        if let Some(key) = &self.phase.key {
            let mut tx = state.store.begin().await?;
            tx.release_hold(key, &self.phase.held, state.clock.now()).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Opens the next phase's transaction, if the key is still this write's.
    pub async fn resume(self, state: &AppState) -> ApiResult<WriteTx> {
        let (mut tx, now) = (state.store.begin().await?, state.clock.now());
        if let Some(key) = &self.phase.key {
            if !tx.renew_hold(key, &self.phase.held, now).await? {
                return Err(in_progress());
            }
        }
        tx.start_work().await?;
        Ok(WriteTx { tx, phase: self.phase, now, clock: state.clock.clone() })
    }
}
