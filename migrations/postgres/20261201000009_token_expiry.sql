-- API tokens expire: `wegwijzer token create --expires-in DAYS` (default 365) sets `expires_at`, and
-- an expired token gets 401 saying so. Tokens made before this get a year from now rather than
-- none: every token ends, and nobody's tool stops at once (`wegwijzer token list` shows when).
-- RFC 3339 in UTC, like every other time the store writes.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens
    SET expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '365 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    WHERE expires_at IS NULL;
