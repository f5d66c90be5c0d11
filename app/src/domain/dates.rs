//! Dates as people read them ("25 November 2026"). Written out by hand rather than with
//! chrono's `format`, whose pattern parser would add tens of kilobytes to the WASM.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

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

/// A local date and time: "25 November 2026 at 2:05 PM".
pub fn date_and_time(at: NaiveDateTime) -> String {
    format!("{} at {}", long_date(at.date()), time_of_day(at))
}

/// A local time on the twelve-hour clock: "2:05 PM".
pub fn time_of_day(at: NaiveDateTime) -> String {
    let (pm, hour) = at.hour12();
    format!("{hour}:{:02} {}", at.minute(), if pm { "PM" } else { "AM" })
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A date with its weekday: "Wednesday 25 November 2026".
pub fn weekday_date(date: NaiveDate) -> String {
    format!(
        "{} {}",
        WEEKDAYS[date.weekday().num_days_from_monday() as usize],
        long_date(date)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_on_the_twelve_hour_clock() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let at = |h, m| date_and_time(day.and_hms_opt(h, m, 0).unwrap());
        assert_eq!(at(0, 5), "25 November 2026 at 12:05 AM");
        assert_eq!(at(12, 0), "25 November 2026 at 12:00 PM");
        assert_eq!(at(14, 30), "25 November 2026 at 2:30 PM");
        assert_eq!(at(23, 59), "25 November 2026 at 11:59 PM");
    }

    #[test]
    fn a_date_can_read_with_its_weekday() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(weekday_date(day), "Wednesday 25 November 2026");
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(weekday_date(leap), "Tuesday 29 February 2028");
    }

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
