-- Individual members are register rows of kind 'individual' (the kind
-- column is free text already); what every member gives besides fees is
-- recorded here, for organisations and individuals alike.
CREATE TABLE contributions (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    kind         TEXT    NOT NULL,
    -- Hundredths of an hour, cents, or whole servers, by kind.
    amount       INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    note         TEXT    NOT NULL,
    recorded_by  TEXT    NOT NULL,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX contributions_by_org ON contributions (org_id, day);

-- An individual voting in a college carries on the roll the college's
-- whole weight (a fraction such as "1" or "2/5"), shared by the tally among
-- those who voted; NULL for every other member.
ALTER TABLE proposal_roll ADD COLUMN college TEXT;
