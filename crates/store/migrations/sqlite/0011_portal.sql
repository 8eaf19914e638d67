-- The portal's logins: a person's (person_id) or an operator's (operator,
-- the label the audit log names them by). The password is an argon2id PHC
-- string; the TOTP secret is base32. Failed attempts are counted here, so
-- every instance refuses an account under attack.
CREATE TABLE logins (
    id               INTEGER PRIMARY KEY,
    email            TEXT    NOT NULL UNIQUE,
    person_id        INTEGER REFERENCES people(id) UNIQUE,
    operator         TEXT UNIQUE,
    password_hash    TEXT,
    totp_secret      TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    failures_since   INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);

-- Signed-in browsers, by the SHA-256 of their cookie; second_factor is 1
-- once the TOTP code was given (or none was needed).
CREATE TABLE sessions (
    token_hash     TEXT    PRIMARY KEY,
    login_id       INTEGER NOT NULL REFERENCES logins(id),
    csrf_token     TEXT    NOT NULL,
    second_factor  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX sessions_by_login ON sessions (login_id);

-- One-time links sent by mail: purpose 'login' (lands on next) or 'reset'.
CREATE TABLE login_links (
    token_hash  TEXT    PRIMARY KEY,
    login_id    INTEGER NOT NULL REFERENCES logins(id),
    purpose     TEXT    NOT NULL,
    next_path   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
