-- An organisation's legal form (co-operative, association…); empty for
-- organisations registered before Plenary recorded it.
ALTER TABLE organisations ADD COLUMN legal_form TEXT;

-- The audit log's head right after a period was closed, published with
-- its statement so members can hold the log to it later.
ALTER TABLE statements ADD COLUMN audit_head TEXT;
