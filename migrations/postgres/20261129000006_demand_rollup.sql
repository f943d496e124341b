-- Sums of demand per pair of dimensions ("theme:subregion"), per closed day (grain 'd', period
-- YYYY-MM-DD) or closed month (grain 'm', period YYYY-MM), computed when a matrix first needs them
-- and removed when a late write lands on their day (see src/store/rollup.rs).
CREATE TABLE demand_rollup (
    dims      TEXT   NOT NULL,
    grain     TEXT   NOT NULL,
    period    TEXT   NOT NULL,
    row_value TEXT   NOT NULL,
    col_value TEXT   NOT NULL,
    outcome   TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (dims, grain, period, row_value, col_value, outcome)
);
CREATE INDEX demand_rollup_period ON demand_rollup (grain, period);

-- Which buckets have been summed (a bucket without demand has no rows, but is done).
CREATE TABLE demand_rollup_done (
    dims   TEXT NOT NULL,
    grain  TEXT NOT NULL,
    period TEXT NOT NULL,
    PRIMARY KEY (dims, grain, period)
);
CREATE INDEX demand_rollup_done_period ON demand_rollup_done (grain, period);

-- Days are compared as bytes: ranges over a year of gaps compare every index entry with the end
-- of the range, and a locale's collation (even C.UTF-8) calls strcoll for each. SQLite compares
-- bytes already.
ALTER TABLE gaps ALTER COLUMN day TYPE TEXT COLLATE "C";
ALTER TABLE demand ALTER COLUMN day TYPE TEXT COLLATE "C";
ALTER TABLE demand_rollup ALTER COLUMN period TYPE TEXT COLLATE "C";
ALTER TABLE demand_rollup_done ALTER COLUMN period TYPE TEXT COLLATE "C";
