-- Live payments through Stripe Checkout. A live payment is recorded `pending` before Stripe is
-- called, with the exact session parameters it will send (so a retry sends the same ones) and
-- the attempt number in Stripe's Idempotency-Key; it holds a slot of a capped link until
-- reserved_until (its session's expiry). The reconciler asks Stripe about it from
-- reconcile_after on.
ALTER TABLE payments ADD COLUMN session_params TEXT;
ALTER TABLE payments ADD COLUMN stripe_attempt BIGINT NOT NULL DEFAULT 1;
ALTER TABLE payments ADD COLUMN session_id TEXT;
ALTER TABLE payments ADD COLUMN session_url TEXT;
ALTER TABLE payments ADD COLUMN reserved_until BIGINT;
ALTER TABLE payments ADD COLUMN reconcile_after BIGINT;
CREATE UNIQUE INDEX payments_by_session ON payments (session_id);
CREATE INDEX payments_reserving ON payments (link_id, reserved_until) WHERE status = 'pending';
CREATE INDEX payments_to_reconcile ON payments (reconcile_after) WHERE status = 'pending';

-- Each Stripe event is processed once: its id is stored in the transaction that handles it.
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
