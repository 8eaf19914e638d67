-- A token may be narrower than its owner: read-only, or limited to one
-- organisation. Existing tokens keep everything their owner may do.
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN org_id INTEGER REFERENCES organisations(id);
