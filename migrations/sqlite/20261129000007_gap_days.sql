-- Gaps per day, reason, channel and triage status, kept in step with every write to `gaps` (insert,
-- status change, erasure), so the total of a gap list filtered by period, reason, channel or status
-- is a sum over a few thousand rows instead of a count over every gap of the period.
CREATE TABLE gap_days (
    day     TEXT   NOT NULL,
    reason  TEXT   NOT NULL,
    channel TEXT   NOT NULL,
    status  TEXT   NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (day, reason, channel, status)
);
INSERT INTO gap_days (day, reason, channel, status, n)
    SELECT day, reason, channel, status, COUNT(*) FROM gaps GROUP BY day, reason, channel, status;
