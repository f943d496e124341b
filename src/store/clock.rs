//! The store's clock: today's day and time as every table writes them (UTC). One place, so the
//! demand counts, the gap records and the day sums agree on where a day ends.

/// Today's date in UTC, `YYYY-MM-DD`: the day demand is counted on.
pub(crate) fn today() -> String {
    now().1
}

pub(crate) fn now() -> (String, String) {
    let stamp = super::stamp(time::Duration::ZERO);
    let day = stamp.get(..10).unwrap_or_default().to_owned();
    (stamp, day)
}
