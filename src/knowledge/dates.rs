//! Dates as the knowledge writes them (`YYYY-MM-DD`), read and written in one place for the offers,
//! their figures and the review.

use time::Date;
use time::macros::format_description;

const DATE: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), DATE).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}
