-- How often each offer was recommended, per day, without any text: `wegwijzer review` and the
-- officers' "Aanbod om te controleren" list the most-asked offers first, so reviewers start where
-- a stale figure would mislead the most people.
CREATE TABLE offer_referrals (
    day   TEXT   NOT NULL,
    offer TEXT   NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (day, offer)
);
