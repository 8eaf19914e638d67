-- Metered use per hour along each dimension (tenant, org, server, pool,
-- origin): kept for good, while raw samples are pruned after a retention.
CREATE TABLE usage_rollups (
    hour               BIGINT  NOT NULL,
    dim                TEXT    NOT NULL,
    key                TEXT    NOT NULL,
    meetings           BIGINT  NOT NULL,
    meeting_ms         BIGINT  NOT NULL,
    participant_ms     BIGINT  NOT NULL,
    mic_ms             BIGINT  NOT NULL,
    listen_only_ms     BIGINT  NOT NULL,
    webcam_ms          BIGINT  NOT NULL,
    bytes_in           BIGINT  NOT NULL,
    bytes_out          BIGINT  NOT NULL,
    peak_participants  BIGINT  NOT NULL,
    peak_meetings      BIGINT  NOT NULL,
    PRIMARY KEY (dim, hour, key)
);

-- Hours before `rolled_to` are rolled up; samples before it may be pruned.
CREATE TABLE rollup_state (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    rolled_to   BIGINT  NOT NULL
);
INSERT INTO rollup_state (id, rolled_to) VALUES (1, 0);

CREATE INDEX usage_samples_at ON usage_samples (at);
