-- People and access: users log in to the web (argon2 hashes), API tokens are stored as SHA-256
-- hashes only, sessions live here so several instances share them, and every login, export,
-- status change and erasure leaves an audit record.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);
CREATE INDEX audit_at ON audit (at);

-- Triage of a gap: a note and the offer that now covers it.
ALTER TABLE gaps ADD COLUMN note TEXT;
ALTER TABLE gaps ADD COLUMN covered_by TEXT;
ALTER TABLE gaps ADD COLUMN updated_at TEXT;
CREATE INDEX gaps_reason_day ON gaps (reason, day);
CREATE INDEX gaps_status_day ON gaps (status, day);

-- Demand per day and cell, without any text: every question (answered, clarified, handed over or
-- a gap) and every feedback adds one to each combination of its themes, audiences and stages
-- ('' where none was understood). The white-spot matrix reads only this table, so it stays fast
-- however many gap records there are. Replaces demand_counts, which lacked audience, stage and
-- municipality.
CREATE TABLE demand (
    day          TEXT   NOT NULL,
    theme        TEXT   NOT NULL,
    audience     TEXT   NOT NULL,
    stage        TEXT   NOT NULL,
    municipality TEXT   NOT NULL,
    subregion    TEXT   NOT NULL,
    channel      TEXT   NOT NULL,
    outcome      TEXT   NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (day, theme, audience, stage, municipality, subregion, channel, outcome)
);
INSERT INTO demand (day, theme, audience, stage, municipality, subregion, channel, outcome, n)
    SELECT day, theme, '', '', '', subregion, channel, outcome, n FROM demand_counts;
DROP TABLE demand_counts;
