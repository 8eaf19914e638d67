-- Organisations own tenants; tiers set each tenant's service level.
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    legal_name  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Limits are 0 when unlimited; money in cents.
CREATE TABLE tiers (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    name                        TEXT    NOT NULL UNIQUE,
    price_cents                 INTEGER NOT NULL,
    currency                    TEXT    NOT NULL,
    participants_per_meeting    INTEGER NOT NULL,
    concurrent_meetings         INTEGER NOT NULL,
    concurrent_participants     INTEGER NOT NULL,
    meeting_minutes             INTEGER NOT NULL,
    webcams_per_meeting         INTEGER NOT NULL,
    webcams_per_user            INTEGER NOT NULL,
    recording                   INTEGER NOT NULL,
    rooms_per_month             INTEGER NOT NULL,
    disabled_features           TEXT    NOT NULL,
    allowance_participant_minutes INTEGER NOT NULL,
    allowance_gb                INTEGER NOT NULL,
    created_at                  INTEGER NOT NULL
);

-- meet.coop's service levels (July 2020); the concurrency limits and
-- allowances are Plenary's suggested starting points.
INSERT INTO tiers (name, price_cents, currency, participants_per_meeting, concurrent_meetings, concurrent_participants, meeting_minutes, webcams_per_meeting, webcams_per_user, recording, rooms_per_month, disabled_features, allowance_participant_minutes, allowance_gb, created_at) VALUES
    ('free',   0,     'EUR', 5,   1,  5,   60,   5,  1, 0, 1, '', 3000,   0, 0),
    ('level1', 1000,  'EUR', 10,  2,  20,  180,  10, 1, 1, 5, '', 30000,  0, 0),
    ('level2', 2000,  'EUR', 20,  5,  60,  1440, 20, 2, 1, 0, '', 80000,  0, 0),
    ('level3', 4500,  'EUR', 50,  10, 200, 1440, 25, 2, 1, 0, '', 250000, 0, 0),
    ('multi',  10000, 'EUR', 100, 25, 500, 1440, 30, 3, 1, 0, '', 600000, 0, 0);

ALTER TABLE tenants ADD COLUMN org_id INTEGER REFERENCES organisations(id);
ALTER TABLE tenants ADD COLUMN tier_id INTEGER REFERENCES tiers(id);

-- Every create refused by a quota, for metrics and the organisation's view.
CREATE TABLE quota_refusals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    reason      TEXT    NOT NULL,
    meeting_id  TEXT    NOT NULL
);
CREATE INDEX quota_refusals_tenant_at ON quota_refusals (tenant_id, at);
