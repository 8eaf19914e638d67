-- In which role a ballot was cast: the delegate's prevails over a
-- deputy's. Ballots cast before roles were recorded were the delegate's.
ALTER TABLE ballots ADD COLUMN cast_as TEXT NOT NULL DEFAULT 'delegate';

-- The consortium rules a rules-change proposal puts in place if it passes
-- (JSON, as the governance crate writes them).
ALTER TABLE proposals ADD COLUMN amends TEXT;

-- The outcome statement written after close: what was decided and what
-- happens next, by whom and when.
ALTER TABLE proposals ADD COLUMN statement TEXT;
ALTER TABLE proposals ADD COLUMN statement_by TEXT;
ALTER TABLE proposals ADD COLUMN statement_at INTEGER;

-- A person's forum account, linked by an operator who verified it is
-- theirs: only then does a vote in a forum poll count as that person's.
CREATE TABLE forum_accounts (
    person_id    INTEGER PRIMARY KEY REFERENCES people(id),
    username     TEXT NOT NULL UNIQUE,
    verified_by  TEXT NOT NULL,
    verified_at  INTEGER NOT NULL
);

-- The last vote read from each forum account in a proposal's poll, and
-- what Plenary made of it (counted for an organisation, or why not), so a
-- vote is imported and reported once, and again only when it changes.
CREATE TABLE forum_votes (
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    username     TEXT NOT NULL,
    option_index INTEGER NOT NULL,
    verdict      TEXT NOT NULL,
    seen_at      INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, username)
);
