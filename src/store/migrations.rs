//! The schema, as numbered migrations from an empty file. Append; never edit a shipped one.

use rusqlite_migration::{M, Migrations};

const V1_CORE: &str = r#"
CREATE TABLE zones (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
INSERT INTO zones (name) VALUES ('default');

CREATE TABLE pools (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('server', 'docker_agent'))
);

CREATE TABLE servers (
    id              INTEGER PRIMARY KEY,
    friendly_name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    enabled         INTEGER NOT NULL,
    zone_id         INTEGER NOT NULL REFERENCES zones (id),
    pool_id         INTEGER REFERENCES pools (id),
    connection_type TEXT NOT NULL,
    host            TEXT NOT NULL,
    port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    credential_type TEXT NOT NULL,
    username        TEXT NOT NULL,
    password_sealed BLOB,
    connection_info TEXT NOT NULL,
    max_sessions    INTEGER NOT NULL CHECK (max_sessions >= 1),
    reusable        INTEGER NOT NULL,
    origin          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Kept by the session triggers below, so no screen or placement recounts sessions.
    session_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX servers_pool ON servers (pool_id);

CREATE TABLE docker_agents (
    id                 INTEGER PRIMARY KEY,
    hostname           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    enabled            INTEGER NOT NULL,
    zone_id            INTEGER NOT NULL REFERENCES zones (id),
    pool_id            INTEGER REFERENCES pools (id),
    reported_cores     REAL NOT NULL,
    reported_memory_mb INTEGER NOT NULL,
    reported_gpus      INTEGER NOT NULL,
    override_cores     REAL NOT NULL,
    override_memory_mb INTEGER NOT NULL,
    override_gpus      INTEGER NOT NULL,
    draining           INTEGER NOT NULL,
    origin             TEXT NOT NULL,
    last_report        INTEGER,
    created_at         INTEGER NOT NULL,
    -- Kept by the session triggers below, so no screen or placement recounts sessions.
    session_count      INTEGER NOT NULL DEFAULT 0,
    used_cores         REAL NOT NULL DEFAULT 0,
    used_memory_mb     INTEGER NOT NULL DEFAULT 0,
    used_gpus          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX docker_agents_pool ON docker_agents (pool_id);

CREATE TABLE staging_configs (
    id               INTEGER PRIMARY KEY,
    zone_id          INTEGER NOT NULL REFERENCES zones (id),
    pool_id          INTEGER NOT NULL REFERENCES pools (id),
    workspace_name   TEXT NOT NULL COLLATE NOCASE,
    desired_sessions INTEGER NOT NULL CHECK (desired_sessions >= 0),
    cores            REAL NOT NULL,
    memory_mb        INTEGER NOT NULL,
    gpus             INTEGER NOT NULL,
    UNIQUE (pool_id, workspace_name)
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    pool_id    INTEGER NOT NULL REFERENCES pools (id),
    server_id  INTEGER REFERENCES servers (id),
    agent_id   INTEGER REFERENCES docker_agents (id),
    user_label TEXT NOT NULL,
    cores      REAL NOT NULL,
    memory_mb  INTEGER NOT NULL,
    gpus       INTEGER NOT NULL,
    staged     INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    CHECK ((server_id IS NULL) <> (agent_id IS NULL))
);
CREATE INDEX sessions_pool ON sessions (pool_id);
CREATE INDEX sessions_server ON sessions (server_id) WHERE server_id IS NOT NULL;
CREATE INDEX sessions_agent ON sessions (agent_id) WHERE agent_id IS NOT NULL;

CREATE TRIGGER sessions_counted_in AFTER INSERT ON sessions BEGIN
    UPDATE servers SET session_count = session_count + 1 WHERE id = NEW.server_id;
    UPDATE docker_agents
       SET session_count = session_count + 1,
           used_cores = used_cores + NEW.cores,
           used_memory_mb = used_memory_mb + NEW.memory_mb,
           used_gpus = used_gpus + NEW.gpus
     WHERE id = NEW.agent_id;
END;

-- The last session out resets the sums, so fractional cores never leave a residue.
CREATE TRIGGER sessions_counted_out AFTER DELETE ON sessions BEGIN
    UPDATE servers SET session_count = session_count - 1 WHERE id = OLD.server_id;
    UPDATE docker_agents
       SET session_count = session_count - 1,
           used_cores = CASE WHEN session_count = 1 THEN 0 ELSE used_cores - OLD.cores END,
           used_memory_mb = used_memory_mb - OLD.memory_mb,
           used_gpus = used_gpus - OLD.gpus
     WHERE id = OLD.agent_id;
END;

-- A session moves by ending and starting, so the counts above stay exact.
CREATE TRIGGER sessions_are_not_updated BEFORE UPDATE ON sessions BEGIN
    SELECT RAISE(ABORT, 'a session is not changed in place; end it and start another');
END;
"#;

// The installation id names this database's instances in the clouds (ownership tags).
const V2_INSTALLATION: &str = r#"
CREATE TABLE installation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    uuid       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- Salt of a passphrase-derived key, and a value sealed with the key first used, so a
    -- wrong passphrase or a replaced key file is told apart from damage.
    key_salt   BLOB NOT NULL DEFAULT (randomblob(16)),
    key_check  BLOB
);
INSERT INTO installation (id, uuid, created_at)
VALUES (1, lower(hex(randomblob(16))), CAST(unixepoch('subsec') * 1000 AS INTEGER));
"#;

// AutoScale configs and the provider configs they use. Settings are JSON without secrets;
// each row's secrets are one sealed JSON object.
const V3_AUTOSCALE: &str = r#"
CREATE TABLE ldap_configs (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider TEXT NOT NULL DEFAULT 'ldap',
    settings TEXT NOT NULL,
    secrets  BLOB
);

CREATE TABLE vm_provider_configs (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider TEXT NOT NULL,
    settings TEXT NOT NULL,
    secrets  BLOB
);

CREATE TABLE dns_provider_configs (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider TEXT NOT NULL,
    settings TEXT NOT NULL,
    secrets  BLOB
);

CREATE TABLE autoscale_configs (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    pool_id         INTEGER NOT NULL REFERENCES pools (id),
    zone_id         INTEGER NOT NULL REFERENCES zones (id),
    kind            TEXT NOT NULL CHECK (kind IN ('server', 'docker_agent')),
    vm_provider_id  INTEGER NOT NULL REFERENCES vm_provider_configs (id),
    dns_provider_id INTEGER REFERENCES dns_provider_configs (id),
    ldap_id         INTEGER REFERENCES ldap_configs (id),
    -- Order within the pool: the first config with headroom serves a deficit first.
    position        INTEGER NOT NULL,
    settings        TEXT NOT NULL,
    secrets         BLOB
);
CREATE INDEX autoscale_configs_pool ON autoscale_configs (pool_id, position);
"#;

// The scaler's durable state: one row per instance it asked a cloud for (written before the
// cloud is called), each config's health, each pool's surplus clock, and the event log.
const V4_SCALER: &str = r#"
CREATE TABLE instances (
    id             INTEGER PRIMARY KEY,
    config_id      INTEGER NOT NULL REFERENCES autoscale_configs (id),
    vm_provider_id INTEGER NOT NULL REFERENCES vm_provider_configs (id),
    pool_id        INTEGER NOT NULL REFERENCES pools (id),
    kind           TEXT NOT NULL CHECK (kind IN ('server', 'docker_agent')),
    name           TEXT NOT NULL UNIQUE,
    token          TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL CHECK (state IN ('requested', 'creating', 'booting',
                       'running', 'draining', 'deleting', 'deleted', 'failed', 'lost')),
    state_since    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    cloud_id       TEXT,
    address        TEXT,
    server_id      INTEGER REFERENCES servers (id) ON DELETE SET NULL,
    agent_id       INTEGER REFERENCES docker_agents (id) ON DELETE SET NULL,
    -- What one instance brings, fixed when it was requested (cores/memory/GPUs for an
    -- agent, session slots for a server), so in-flight capacity is counted exactly once.
    cores          REAL NOT NULL,
    memory_mb      INTEGER NOT NULL,
    gpus           INTEGER NOT NULL,
    slots          INTEGER NOT NULL,
    -- Whether a session ever ran on it (a server that is not Reusable goes after one).
    used           INTEGER NOT NULL DEFAULT 0,
    -- Why it failed, was lost or is being deleted.
    reason         TEXT,
    -- Its deletion ends it as failed (it never became usable), not as deleted.
    ends_failed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX instances_live ON instances (pool_id)
    WHERE state NOT IN ('deleted', 'failed', 'lost');
CREATE INDEX instances_server ON instances (server_id) WHERE server_id IS NOT NULL;
CREATE INDEX instances_agent ON instances (agent_id) WHERE agent_id IS NOT NULL;

CREATE TRIGGER instances_used AFTER INSERT ON sessions BEGIN
    UPDATE instances SET used = 1
     WHERE (server_id = NEW.server_id OR agent_id = NEW.agent_id) AND used = 0;
END;

CREATE TABLE config_health (
    config_id            INTEGER PRIMARY KEY REFERENCES autoscale_configs (id) ON DELETE CASCADE,
    paused               INTEGER NOT NULL DEFAULT 0,
    backoff_until        INTEGER,
    backoff_level        INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    stopped_reason       TEXT,
    last_error           TEXT
);

CREATE TABLE pool_clocks (
    pool_id       INTEGER PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
    surplus_since INTEGER
);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    pool_id     INTEGER,
    config_id   INTEGER,
    instance_id INTEGER,
    message     TEXT NOT NULL
);
CREATE INDEX events_pool ON events (pool_id, id);
"#;

/// Active Directory computer records (issue 7): the name claimed before the directory is
/// called, the record's DN while it may exist, and the join password, sealed, until the
/// VM has booted with it.
const V5_COMPUTERS: &str = r#"
ALTER TABLE instances ADD COLUMN computer_name TEXT;
ALTER TABLE instances ADD COLUMN computer_dn TEXT;
-- The LDAP config the record was made through: its removal needs the same directory even
-- if the AutoScale config has changed since.
ALTER TABLE instances ADD COLUMN computer_ldap_id INTEGER;
ALTER TABLE instances ADD COLUMN join_secret BLOB;
CREATE UNIQUE INDEX instances_computer_claims ON instances (computer_name)
    WHERE computer_dn IS NOT NULL;
"#;

/// The HTTP API (issue 12): its settings, portal keys and agent tokens (hashes only), what
/// hosts report, and an instance's check-in (written by the API, read by the scaler, which
/// stays the only writer of instance state). Also: instance ids are never reused.
const V6_API: &str = r#"
CREATE TABLE api_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    enabled        INTEGER NOT NULL,
    listen         TEXT NOT NULL,
    tls_cert       TEXT NOT NULL,
    tls_key_sealed BLOB,
    agent_url      TEXT NOT NULL,
    host_missing_s INTEGER NOT NULL CHECK (host_missing_s > 0),
    host_dead_s    INTEGER NOT NULL CHECK (host_dead_s > host_missing_s),
    rate_limit     INTEGER NOT NULL CHECK (rate_limit > 0)
);
INSERT INTO api_settings (id, enabled, listen, tls_cert, agent_url, host_missing_s, host_dead_s,
                          rate_limit)
VALUES (1, 0, '127.0.0.1:8443', '', '', 600, 3600, 2000);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- SHA-256 of the key; the key itself is shown once and never stored.
    hash       BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used  INTEGER
);

-- One token per autoscaled instance (from its intent on) or per static member (issued from
-- its Actions menu); each dies with what it belongs to.
CREATE TABLE agent_tokens (
    hash        BLOB PRIMARY KEY,
    instance_id INTEGER UNIQUE REFERENCES instances (id) ON DELETE CASCADE,
    server_id   INTEGER UNIQUE REFERENCES servers (id) ON DELETE CASCADE,
    agent_id    INTEGER UNIQUE REFERENCES docker_agents (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    CHECK ((instance_id IS NOT NULL) + (server_id IS NOT NULL) + (agent_id IS NOT NULL) = 1)
) WITHOUT ROWID;

CREATE TRIGGER agent_tokens_end_with_instance AFTER UPDATE OF state ON instances
WHEN NEW.state IN ('deleted', 'failed', 'lost') BEGIN
    DELETE FROM agent_tokens WHERE instance_id = NEW.id;
END;

ALTER TABLE servers ADD COLUMN last_report INTEGER;
ALTER TABLE servers ADD COLUMN agent_version TEXT;
ALTER TABLE servers ADD COLUMN host_load REAL;
ALTER TABLE docker_agents ADD COLUMN agent_version TEXT;
ALTER TABLE docker_agents ADD COLUMN host_load REAL;

-- The instance's token, sealed, for its startup script (a retried create renders the same
-- script); cleared once it runs.
ALTER TABLE instances ADD COLUMN checkin_secret BLOB;
-- What its agent said at check-in, for the member row the scaler makes of it.
ALTER TABLE instances ADD COLUMN checked_in_at INTEGER;
ALTER TABLE instances ADD COLUMN checkin_address TEXT;
ALTER TABLE instances ADD COLUMN checkin_cores REAL;
ALTER TABLE instances ADD COLUMN checkin_memory_mb INTEGER;
ALTER TABLE instances ADD COLUMN checkin_gpus INTEGER;
ALTER TABLE instances ADD COLUMN checkin_version TEXT;

-- The last instance id handed out: ids are never used twice, even after ended rows went
-- with their config (a late cloud answer or a VM's tag must never name another instance).
CREATE TABLE instance_ids (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO instance_ids (id, last) SELECT 1, coalesce(max(id), 0) FROM instances;
"#;

/// V7: when pooladmin first saw each owned VM whose cloud gave no readable creation time,
/// so an orphan among them is swept after the grace period, not never.
const V7_SIGHTINGS: &str = r#"
CREATE TABLE vm_sightings (
    vm_provider_id INTEGER NOT NULL REFERENCES vm_provider_configs (id) ON DELETE CASCADE,
    cloud_id       TEXT NOT NULL,
    first_seen     INTEGER NOT NULL,
    PRIMARY KEY (vm_provider_id, cloud_id)
);
"#;

/// V8: when each instance came up, so a config's boot time is known (the schedule's windows
/// are in place by their start).
const V8_BOOT_TIMES: &str = r#"
ALTER TABLE instances ADD COLUMN running_at INTEGER;
CREATE INDEX instances_boots ON instances (config_id, running_at);
"#;

/// V9 (issue 15): the settings the cost and the session history go by, and the history
/// itself — every session that ends, kept by a trigger so no path that ends one forgets it.
const V9_HISTORY: &str = r#"
CREATE TABLE settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    currency     TEXT NOT NULL DEFAULT 'USD',
    history_days INTEGER NOT NULL DEFAULT 90
);
INSERT INTO settings (id) VALUES (1);

CREATE TABLE session_history (
    id         INTEGER PRIMARY KEY,
    pool_id    INTEGER NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL,
    cores      REAL NOT NULL,
    memory_mb  INTEGER NOT NULL,
    gpus       INTEGER NOT NULL,
    staged     INTEGER NOT NULL
);
CREATE INDEX session_history_pool ON session_history (pool_id, started_at);
CREATE INDEX session_history_ended ON session_history (ended_at);

CREATE TRIGGER sessions_kept AFTER DELETE ON sessions BEGIN
    INSERT INTO session_history (pool_id, started_at, ended_at, cores, memory_mb, gpus, staged)
    VALUES (OLD.pool_id, OLD.started_at,
            max(OLD.started_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)),
            OLD.cores, OLD.memory_mb, OLD.gpus, OLD.staged);
END;
"#;

/// V10 (issue 16): a decision's numbers beside its words (JSON of `model::decision`).
const V10_DECISIONS: &str = r#"
ALTER TABLE events ADD COLUMN decision TEXT;
"#;

/// V11 (issue 25): the API's connection cap (0 = from the open-file limit), and portal keys
/// with less power: read-only, and/or limited to named pools (`limited_to_pools` with its
/// rows in `api_key_pools`, so a key whose pools were all deleted may use none, not all).
const V11_API_LIMITS: &str = r#"
ALTER TABLE api_settings ADD COLUMN max_connections INTEGER NOT NULL DEFAULT 0
    CHECK (max_connections >= 0);
ALTER TABLE api_keys ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN limited_to_pools INTEGER NOT NULL DEFAULT 0;
CREATE TABLE api_key_pools (
    key_id  INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    pool_id INTEGER NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, pool_id)
) WITHOUT ROWID;
CREATE INDEX api_key_pools_pool ON api_key_pools (pool_id);
"#;

/// V12 (issue 25): the token in an instance's startup script is a one-time bootstrap token
/// (cloud user-data can be read by any process on the VM): its first check-in exchanges it
/// for the member's working token, and it dies then or at `expires_at` (the Provision
/// Timeout), whichever comes first.
const V12_BOOTSTRAP_TOKENS: &str = r#"
ALTER TABLE agent_tokens ADD COLUMN bootstrap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agent_tokens ADD COLUMN expires_at INTEGER;
"#;

/// V13 (issue 25): sealed values are bound to their table, column and row; the values sealed
/// before are re-sealed once, by `sealed_columns::bind_to_places` (it needs the key, which
/// SQL has not), which then sets the flag.
const V13_SEALED_PLACES: &str = r#"
ALTER TABLE installation ADD COLUMN sealed_bound INTEGER NOT NULL DEFAULT 0;
"#;

/// V14 (issue 30): placement finds a pool's best member through an index in the rule's
/// order (`model::placement`), among the members that take sessions, instead of reading every
/// member. The same statements on PostgreSQL.
pub(super) const V14_PLACEMENT_INDEXES: &str = concat!(
    "CREATE INDEX docker_agents_placement ON docker_agents (pool_id, ",
    crate::model::placement::agent_preference_sql!(),
    ") WHERE enabled AND NOT draining;
CREATE INDEX servers_placement ON servers (pool_id, ",
    crate::model::placement::server_preference_sql!(),
    ") WHERE enabled;
"
);

/// V15 (issue 24): the nodes of a deployment on one PostgreSQL database, and the lease the
/// node that runs the scaler holds (`store/lease.rs`). Times are milliseconds since the epoch,
/// by the database server's clock, so nodes whose clocks differ agree on expiry. On an SQLite
/// file the tables stay empty (one process holds the file). The same statements on
/// PostgreSQL, which adds the fencing trigger (`postgres_schema::V15_FENCING`).
pub(super) const V15_NODES: &str = r#"
CREATE TABLE nodes (
    name           TEXT PRIMARY KEY,
    version        TEXT NOT NULL,
    schema_version BIGINT NOT NULL,
    role           TEXT NOT NULL,
    pid            BIGINT NOT NULL,
    host           TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    heartbeat_at   BIGINT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE TABLE scaler_lease (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    holder     TEXT,
    epoch      BIGINT NOT NULL,
    taken_at   BIGINT NOT NULL,
    renewed_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failovers  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO scaler_lease (id, holder, epoch, taken_at, renewed_at, expires_at)
VALUES (1, NULL, 0, 0, 0, 0);
"#;

const STEPS: [&str; 15] = [
    V1_CORE,
    V2_INSTALLATION,
    V3_AUTOSCALE,
    V4_SCALER,
    V5_COMPUTERS,
    V6_API,
    V7_SIGHTINGS,
    V8_BOOT_TIMES,
    V9_HISTORY,
    V10_DECISIONS,
    V11_API_LIMITS,
    V12_BOOTSTRAP_TOKENS,
    V13_SEALED_PLACES,
    V14_PLACEMENT_INDEXES,
    V15_NODES,
];

/// Every migration, oldest first. The schema version is the count applied.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = STEPS.len() as i64;
