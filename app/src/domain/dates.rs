//! Dates as people read them ("25 November 2026"). Written out by hand rather than with
//! chrono's `format`, whose pattern parser would add tens of kilobytes to the WASM.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_day_month_year_in_words() {
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()),
            "25 November 2026"
        );
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()),
            "29 February 2028"
        );
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            NaiveDate::from_ymd_opt(2026, 3, 1)
                .unwrap()
                .format("%-d %B %Y")
                .to_string()
        );
    }
}
