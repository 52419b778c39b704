-- Recovery points: a write that calls another system in the middle commits its progress on its
-- Idempotency-Key (recovery_point); its holder (a token per claim) keeps the key until
-- locked_until, so a retry resumes after the last finished phase and a concurrent one waits.
ALTER TABLE idempotency_keys ADD COLUMN recovery_point TEXT NOT NULL DEFAULT 'started';
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
ALTER TABLE idempotency_keys ADD COLUMN locked_until BIGINT;

-- What happened, written in the same transaction as the change that caused it (the outbox's
-- events; body is the full event envelope, fixed at creation).
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    livemode INTEGER NOT NULL,
    type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_by_scope ON events (merchant_id, livemode, created_at DESC, id DESC);
CREATE INDEX events_created ON events (created_at);
