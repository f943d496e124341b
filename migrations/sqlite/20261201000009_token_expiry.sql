-- API tokens expire: `wegwijzer token create --expires-in DAYS` (default 365) sets `expires_at`, and
-- an expired token gets 401 saying so. Tokens made before this get a year from now rather than
-- none: every token ends, and nobody's tool stops at once (`wegwijzer token list` shows when).
-- RFC 3339 in UTC, like every other time the store writes.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+365 days')
    WHERE expires_at IS NULL;
