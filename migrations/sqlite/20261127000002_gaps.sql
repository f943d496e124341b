-- Unmet demand: one row per gap, handoff or "not helpful" answer. The question is stored only
-- after PII redaction (NULL when redaction failed or after the retention period); the person is a
-- pseudonym that rotates monthly.
CREATE TABLE gaps (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      TEXT    NOT NULL,
    day             TEXT    NOT NULL,
    question        TEXT,
    language        TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    themes          TEXT    NOT NULL,
    audiences       TEXT    NOT NULL,
    stages          TEXT    NOT NULL,
    opgaven         TEXT    NOT NULL,
    municipality    TEXT,
    subregion       TEXT,
    offers          TEXT    NOT NULL,
    conversation_id TEXT,
    person          TEXT,
    status          TEXT    NOT NULL DEFAULT 'new'
);
CREATE INDEX gaps_day ON gaps (day);

-- Every answered question counted without its text, so met demand can be put beside unmet demand.
CREATE TABLE demand_counts (
    day       TEXT    NOT NULL,
    theme     TEXT    NOT NULL,
    subregion TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    outcome   TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (day, theme, subregion, channel, outcome)
);

-- Secrets shared by every instance, such as the pseudonym salt.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
