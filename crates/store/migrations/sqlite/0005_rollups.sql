-- Metered use per hour along each dimension (tenant, org, server, pool,
-- origin): kept for good, while raw samples are pruned after a retention.
CREATE TABLE usage_rollups (
    hour               INTEGER NOT NULL,
    dim                TEXT    NOT NULL,
    key                TEXT    NOT NULL,
    meetings           INTEGER NOT NULL,
    meeting_ms         INTEGER NOT NULL,
    participant_ms     INTEGER NOT NULL,
    mic_ms             INTEGER NOT NULL,
    listen_only_ms     INTEGER NOT NULL,
    webcam_ms          INTEGER NOT NULL,
    bytes_in           INTEGER NOT NULL,
    bytes_out          INTEGER NOT NULL,
    peak_participants  INTEGER NOT NULL,
    peak_meetings      INTEGER NOT NULL,
    PRIMARY KEY (dim, hour, key)
);

-- Hours before `rolled_to` are rolled up; samples before it may be pruned.
CREATE TABLE rollup_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    rolled_to   INTEGER NOT NULL
);
INSERT INTO rollup_state (id, rolled_to) VALUES (1, 0);

CREATE INDEX usage_samples_at ON usage_samples (at);
