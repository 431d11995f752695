-- Versioned state. Writers compare-and-set the version (optimistic concurrency), so replicas
-- and the CLI can change state while servers run; servers poll versions to pick changes up.
CREATE TABLE state_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO state_versions (name, version) VALUES ('signing_keys', 0);
INSERT INTO state_versions (name, version) VALUES ('directory', 0);

-- Token signing keys. The private key is sealed (AES-256-GCM) under the root key; the database
-- never sees it in the clear.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    alg          TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retires_at   BIGINT,
    delete_at    BIGINT,
    sealed_key   BYTEA NOT NULL
);

-- The directory (tenants, applications, service principals, grants) as one JSON document:
-- it is small, read whole into memory by every server, and replaced atomically by `sigil apply`.
CREATE TABLE directory (
    singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
    body      TEXT NOT NULL
);
