-- What each server costs a month, and which organisation hosts it (its
-- contribution under the guifi.net rule).
ALTER TABLE servers ADD COLUMN monthly_cost_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE servers ADD COLUMN owner_org_id INTEGER REFERENCES organisations(id);

-- Other costs of a period, and other declared contributions.
CREATE TABLE cost_lines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    period      TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    cents       INTEGER NOT NULL,
    org_id      INTEGER REFERENCES organisations(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX cost_lines_period ON cost_lines (period);

-- A closed period's statement, frozen as computed.
CREATE TABLE statements (
    period      TEXT    PRIMARY KEY,
    body        TEXT    NOT NULL,
    closed_at   INTEGER NOT NULL
);
