-- Times are UTC Unix milliseconds, flags 0/1, money integer cents: one portable subset.
CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    host        TEXT    UNIQUE,
    pool        TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

CREATE TABLE tenant_secrets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    secret      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, secret)
);

CREATE TABLE tenant_params (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    call        TEXT    NOT NULL,
    mode        TEXT    NOT NULL,
    param       TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, call, mode, param)
);

CREATE TABLE servers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    url            TEXT    NOT NULL UNIQUE,
    secret         TEXT    NOT NULL,
    algorithm      TEXT    NOT NULL,
    weight         INTEGER NOT NULL,
    pool           TEXT,
    capacity       INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    health         TEXT    NOT NULL,
    load           INTEGER NOT NULL DEFAULT 0,
    meetings       INTEGER NOT NULL DEFAULT 0,
    participants   INTEGER NOT NULL DEFAULT 0,
    polled_at      INTEGER,
    created_at     INTEGER NOT NULL
);

CREATE TABLE meetings (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
    meeting_id           TEXT    NOT NULL,
    backend_id           TEXT    NOT NULL,
    server_id            INTEGER NOT NULL REFERENCES servers(id),
    internal_id          TEXT,
    created_at           INTEGER NOT NULL,
    ended_at             INTEGER
);
-- One live record per tenant and meeting ID: the guard that keeps create idempotent.
CREATE UNIQUE INDEX meetings_live ON meetings (tenant_id, meeting_id) WHERE ended_at IS NULL;
CREATE INDEX meetings_server ON meetings (server_id, ended_at);
CREATE INDEX meetings_internal ON meetings (internal_id);

CREATE TABLE usage_samples (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    meeting_ref   INTEGER REFERENCES meetings(id),
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    server_id     INTEGER NOT NULL REFERENCES servers(id),
    backend_id    TEXT    NOT NULL,
    origin        TEXT,
    participants  INTEGER NOT NULL,
    moderators    INTEGER NOT NULL,
    mic           INTEGER NOT NULL,
    listen_only   INTEGER NOT NULL,
    webcams       INTEGER NOT NULL,
    breakout      INTEGER NOT NULL
);
CREATE INDEX usage_samples_tenant_at ON usage_samples (tenant_id, at);
