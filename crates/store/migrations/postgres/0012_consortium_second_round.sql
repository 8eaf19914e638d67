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
ALTER TABLE proposals ADD COLUMN statement_at BIGINT;
