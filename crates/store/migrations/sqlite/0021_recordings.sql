-- Recordings imported from the BBB servers, indexed per tenant. Once a
-- recording is here, this row answers for it (the server's copy is no
-- longer asked); its files are in the recordings storage under
-- `<record_id>/<format>/`. A deleted recording keeps its row, without
-- files, so the server's copy never shows again.
CREATE TABLE recordings (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    record_id           TEXT    NOT NULL UNIQUE,
    meeting_id          TEXT    NOT NULL,
    internal_meeting_id TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    is_breakout         INTEGER NOT NULL,
    published           INTEGER NOT NULL,
    deleted             INTEGER NOT NULL,
    start_time          INTEGER NOT NULL,
    end_time            INTEGER NOT NULL,
    participants        INTEGER NOT NULL,
    -- JSON: [[key, value], ...] and [{type, length, processing_time, ...}, ...]
    metadata            TEXT    NOT NULL,
    formats             TEXT    NOT NULL,
    bytes               INTEGER NOT NULL,
    -- The server it came from; no reference, so it outlives the server.
    server_id           INTEGER,
    imported_at         INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX recordings_tenant ON recordings (tenant_id, start_time);
