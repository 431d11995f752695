-- Portable SQL: the same migration runs on SQLite and PostgreSQL.
-- Types used: TEXT, BIGINT (seconds since the epoch for times), BYTEA (SQLite stores it as a BLOB).
CREATE TABLE installation (
    singleton  BIGINT PRIMARY KEY CHECK (singleton = 1),
    id         TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
