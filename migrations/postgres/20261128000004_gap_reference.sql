-- A reference per gap record, given out with the answer before the record is written: a gap that
-- had to wait in the local spool (database down) is stored once under it however often the spool
-- is replayed. Older records keep NULL (unique ignores NULLs).
ALTER TABLE gaps ADD COLUMN ref TEXT;
CREATE UNIQUE INDEX gaps_ref ON gaps (ref);
