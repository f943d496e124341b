-- Conversation state shared by several instances (used with PostgreSQL): only what the assistant
-- understood (language, themes, audience, place, amount, the pending question) as JSON, never the
-- text, until it expires.
CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX conversations_expires ON conversations (expires_at);
