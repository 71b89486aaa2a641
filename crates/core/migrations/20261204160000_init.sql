-- Patchbay's local database. No secret is ever stored here: secrets live in
-- the OS credential store, keyed by connection id; `masked_secret` holds at
-- most "fergPAT_…3f9a".

CREATE TABLE connections (
    id                TEXT PRIMARY KEY NOT NULL,   -- uuid, also the keyring entry name
    name              TEXT NOT NULL,
    system            TEXT NOT NULL,               -- catalog id: "fergus"
    api_url           TEXT NOT NULL,
    account_id        TEXT NOT NULL,
    account_name      TEXT NOT NULL,
    credit_cost       INTEGER NOT NULL,
    lifecycle         TEXT NOT NULL,               -- pending | connected | disconnected | inactive
    health            TEXT NOT NULL,               -- healthy | degraded | offline | needs_reconnect | expiring | unknown
    reason            TEXT NOT NULL,
    since             TEXT NOT NULL,
    last_success      TEXT,
    last_failure      TEXT,
    failure_streak    INTEGER NOT NULL DEFAULT 0,
    slow_streak       INTEGER NOT NULL DEFAULT 0,
    last_latency_ms   INTEGER,
    failing_since     TEXT,                        -- first failure of the current streak
    expiry_reminder_days INTEGER,                  -- last expiry reminder stage announced
    token_created     TEXT,                        -- YYYY-MM-DD
    token_expires_at  TEXT,
    masked_secret     TEXT NOT NULL,
    readable_entities TEXT NOT NULL DEFAULT '[]',  -- JSON array of entity keys
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    next_check_at     TEXT                         -- NULL = not monitored
);

CREATE INDEX connections_by_account ON connections (system, account_id);

-- One row per health check (history).
CREATE TABLE health_checks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    at             TEXT NOT NULL,
    outcome        TEXT NOT NULL,                  -- "success" or an error code
    latency_ms     INTEGER,
    detail         TEXT,
    health         TEXT NOT NULL                   -- health after the check
);

CREATE INDEX health_checks_by_connection ON health_checks (connection_id, id);

-- Append-only activity log: every action and every transition.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,                  -- you | monitor | cli | system
    connection_id  TEXT,
    kind           TEXT NOT NULL,                  -- connection.created, health.offline, …
    summary        TEXT NOT NULL,
    data           TEXT NOT NULL DEFAULT '{}'      -- JSON
);

CREATE INDEX events_by_connection ON events (connection_id, id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL                           -- JSON value
);

INSERT INTO settings (key, value) VALUES
    ('check_interval_secs', '300'),
    ('credits_allowance', '10'),
    ('notifications_enabled', 'true');
