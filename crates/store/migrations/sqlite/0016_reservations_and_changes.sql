-- Load reserved on a server by creates since its last poll. Only several
-- instances on PostgreSQL share reservations through this table; a single
-- SQLite instance keeps them in memory, and the table stays empty here so
-- both schemas hold the same tables.
CREATE TABLE server_reservations (
    id         INTEGER PRIMARY KEY,
    server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    cost       INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX server_reservations_server ON server_reservations (server_id, at);
