-- The consortium's register lives on the organisation record itself: one
-- record owns tenants and holds membership. Plain customers have status
-- `customer` and no class.
ALTER TABLE organisations ADD COLUMN kind TEXT NOT NULL DEFAULT 'organisation';
ALTER TABLE organisations ADD COLUMN member_class TEXT;
ALTER TABLE organisations ADD COLUMN status TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE organisations ADD COLUMN weight INTEGER NOT NULL DEFAULT 1;
ALTER TABLE organisations ADD COLUMN contact TEXT NOT NULL DEFAULT '';
-- The membership state with its dates, as the governance crate's JSON.
ALTER TABLE organisations ADD COLUMN membership TEXT;

-- Every membership step, oldest first: the organisation's history.
CREATE TABLE membership_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    at           INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    effective_at INTEGER NOT NULL,
    note         TEXT    NOT NULL
);
CREATE INDEX membership_events_org ON membership_events (org_id, id);

-- People with accounts; they represent organisations.
CREATE TABLE people (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

-- role: delegate (votes), deputy (votes when the delegate does not), admin.
CREATE TABLE representatives (
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    role        TEXT    NOT NULL,
    PRIMARY KEY (org_id, person_id)
);
CREATE UNIQUE INDEX one_delegate_per_org ON representatives (org_id) WHERE role = 'delegate';

-- Bearer tokens, stored as SHA-256 hashes; a token is an operator's or a person's.
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT    NOT NULL UNIQUE,
    person_id   INTEGER REFERENCES people(id),
    operator    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

-- Versioned documents (the rights and conditions of membership…) and who accepted which.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE acceptances (
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    accepted_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, document_id)
);

-- The consortium's rules (lead time, quorum, notice…), as JSON; one row.
CREATE TABLE consortium_rules (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    body        TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A decision. Its rules (copied from the consortium's at drafting), the
-- roll and `fingerprint` are frozen at opening;
-- `text_changed_at` restarts the lead time when the text changes.
CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    purpose         TEXT    NOT NULL,
    subject_org_id  INTEGER REFERENCES organisations(id),
    author          TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    rules           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    opened_at       INTEGER,
    text_changed_at INTEGER,
    closes_at       INTEGER,
    closed_at       INTEGER,
    fingerprint     TEXT,
    outcome         TEXT,
    audit_head      TEXT,
    reminded_at     INTEGER
);
CREATE INDEX proposals_state ON proposals (state, closes_at);

CREATE TABLE proposal_roll (
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    kind         TEXT    NOT NULL,
    weight       INTEGER NOT NULL,
    member_class TEXT    NOT NULL,
    PRIMARY KEY (proposal_id, org_id)
);

-- Every ballot an organisation cast; the highest revision counts. `salt`
-- keeps the audit log's commitment to a hidden ballot from being guessed.
CREATE TABLE ballots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    revision     INTEGER NOT NULL,
    choice       TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    minutes_url  TEXT    NOT NULL,
    cast_by      TEXT    NOT NULL,
    cast_at      INTEGER NOT NULL,
    salt         TEXT    NOT NULL,
    UNIQUE (proposal_id, org_id, revision)
);

-- Messages to the outside world (mail, forum), sent and retried by a worker;
-- `key` makes enqueueing idempotent.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT    NOT NULL,
    key         TEXT    NOT NULL UNIQUE,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    done_at     INTEGER,
    last_error  TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox (done_at, next_at);

-- The Discourse topic that mirrors a proposal.
CREATE TABLE forum_topics (
    proposal_id  INTEGER PRIMARY KEY REFERENCES proposals(id),
    topic_id     INTEGER NOT NULL,
    url          TEXT    NOT NULL
);
