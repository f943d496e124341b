-- "Not helpful" once per answer: a not-helpful gap names the turn of its conversation it is about
-- (the conversation's message count when the feedback came), and feedback on the same answer again
-- updates that gap's comment instead of adding a gap. NULL on every other gap and on feedback
-- recorded before this migration, which stays as it was; a unique index ignores NULLs.
ALTER TABLE gaps ADD COLUMN feedback_turn BIGINT;
CREATE UNIQUE INDEX gaps_feedback_once ON gaps (conversation_id, feedback_turn);
