-- Each load of the knowledge base (at start and on reload): an audit trail of what was served.
CREATE TABLE knowledge_loads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    loaded_at   TEXT    NOT NULL,
    offers      INTEGER NOT NULL,
    warnings    INTEGER NOT NULL,
    instance    TEXT    NOT NULL
);
