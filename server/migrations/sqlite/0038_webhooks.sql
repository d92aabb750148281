-- Webhooks: signed outgoing events for service desks. The signing secret is sealed with the credentials key (it
-- is shown once, when the webhook is made). Deliveries are an outbox: written in the transaction of the event,
-- claimed by one instance, retried with a growing delay, each visible.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE webhook_events (
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    event TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event)
);
CREATE INDEX webhook_events_event ON webhook_events(event);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    response_status INTEGER,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    claim_token TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
