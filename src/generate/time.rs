/*!
Calendar arithmetic and the two timestamp formats of the Twitter APIs, without a date library:
v1.1's `Fri May 05 19:02:11 +0000 2017` and v2's `2017-05-05T19:02:11.000Z`.
*/

use std::io::Write;

/// Milliseconds in a second, minute, hour and day.
pub(crate) const SECOND: i64 = 1_000;
pub(crate) const MINUTE: i64 = 60 * SECOND;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z), in ms since the Unix epoch.
pub(crate) const SNOWFLAKE_EPOCH: i64 = 1_288_834_974_657;

pub(crate) use crate::ingest::time::{civil_from_days, days_from_civil};

/// Milliseconds since the Unix epoch of a UTC date and time.
pub(crate) const fn utc_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> i64 {
    days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MINUTE
}

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    weekday: usize,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(DAY);
    let rem = ms.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
        hour: rem / HOUR,
        minute: rem % HOUR / MINUTE,
        second: rem % MINUTE / SECOND,
        milli: rem % SECOND,
    }
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Writes `ms` in the v1.1 format, e.g. `Fri May 05 19:02:11 +0000 2017`.
pub(crate) fn write_v11(out: &mut Vec<u8>, ms: i64) {
    let p = parts(ms);
    let _ = write!(
        out,
        "{} {} {:02} {:02}:{:02}:{:02} +0000 {}",
        WEEKDAYS[p.weekday],
        MONTHS[p.month as usize - 1],
        p.day,
        p.hour,
        p.minute,
        p.second,
        p.year
    );
}

/// Writes `ms` in the v2 (ISO 8601) format, e.g. `2017-05-05T19:02:11.000Z`.
pub(crate) fn write_iso(out: &mut Vec<u8>, ms: i64) {
    let p = parts(ms);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
    );
}

/// `ms` as an ISO 8601 string.
pub fn iso(ms: i64) -> String {
    let mut v = Vec::with_capacity(24);
    write_iso(&mut v, ms);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        // 2013-08-16T02:15:02Z, the example of the v1.1 documentation.
        let ms = utc_ms(2013, 8, 16, 2, 15) + 2 * SECOND;
        assert_eq!(ms, 1_376_619_302_000);
        let mut v = Vec::new();
        write_v11(&mut v, ms);
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "Fri Aug 16 02:15:02 +0000 2013"
        );
        assert_eq!(
            iso(utc_ms(2017, 5, 5, 18, 0) + 7),
            "2017-05-05T18:00:00.007Z"
        );
        assert_eq!(iso(utc_ms(2016, 2, 29, 23, 59)), "2016-02-29T23:59:00.000Z");
        assert_eq!(utc_ms(2017, 4, 27, 0, 0), 1_493_251_200_000);
    }

    #[test]
    fn civil_round_trips() {
        for days in (-1000..30_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }
}
