-- Applications to join sent from the portal's public form, waiting for the
-- applicant to confirm their address: a confirmation link's token is made
-- when its mail is sent (token_hash is NULL until then) and works once.
CREATE TABLE pending_applications (
    id           INTEGER PRIMARY KEY,
    email        TEXT    NOT NULL,
    application  TEXT    NOT NULL,
    token_hash   TEXT    UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
