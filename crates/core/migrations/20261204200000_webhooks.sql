-- Webhooks: endpoints, the durable outbox, and the delivery log.
-- Signing secrets are NOT here: they live in the OS credential store under
-- "webhook:<endpoint id>"; `masked_secret` holds at most "whsec_…AbCd".

CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY NOT NULL,    -- ep_<uuid>
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    event_types      TEXT,                         -- JSON array; NULL = every event type
    enabled          INTEGER NOT NULL DEFAULT 1,
    disabled_reason  TEXT,                         -- set when Patchbay turned it off (410)
    masked_secret    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- The outbox: one row per (event, endpoint), written in the same transaction
-- as the change that causes it. `id` is the `webhook-id` of every attempt.
CREATE TABLE webhook_messages (
    id               TEXT PRIMARY KEY NOT NULL,    -- msg_<uuid>
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    connection_id    TEXT,
    payload          TEXT NOT NULL,                -- the exact JSON body sent on every attempt
    created_at       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER,                      -- unix millis; NULL once delivered/failed
    last_attempt_at  TEXT,
    last_status      INTEGER,
    last_error       TEXT
);

CREATE INDEX webhook_messages_due ON webhook_messages (status, next_attempt_ms);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id, created_at);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    status_code      INTEGER,
    latency_ms       INTEGER NOT NULL,
    response_excerpt TEXT,                         -- first 1 KB of the response body
    error            TEXT
);

CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id, id);
