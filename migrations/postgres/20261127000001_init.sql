-- Each load of the knowledge base (at start and on reload): an audit trail of what was served.
CREATE TABLE knowledge_loads (
    id          BIGSERIAL PRIMARY KEY,
    loaded_at   TEXT    NOT NULL,
    offers      BIGINT  NOT NULL,
    warnings    BIGINT  NOT NULL,
    instance    TEXT    NOT NULL
);
