-- The callback URLs a tenant gave on create, each replaced on the BBB
-- server by a one-time Plenary URL whose token (stored as its SHA-256)
-- names the row. Servers never see the tenant's own URLs.
CREATE TABLE callbacks (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    meeting_ref INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX callbacks_meeting ON callbacks (meeting_ref);
