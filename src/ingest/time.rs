/*!
Timestamps as collectors write them, parsed to milliseconds since the Unix epoch (UTC).

Hand-written because these three fixed layouts are parsed millions of times per run and a general
date library spends most of its time on layouts that never occur here.
*/

/// The earliest time accepted: the Unix epoch. Earlier dates are corrupt or placeholders
/// (small relative times, as hand-made test tables use, stay valid).
pub const MIN_MS: i64 = 0;
/// The latest time accepted (2100-01-01).
pub const MAX_MS: i64 = 4_102_444_800_000;

/// Days from 1970-01-01 to the given civil date, proleptic Gregorian (H. Hinnant's
/// `days_from_civil`, <http://howardhinnant.github.io/date_algorithms.html>).
pub(crate) const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
pub(crate) const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn month_of(name: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map(|i| i as u32 + 1)
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]
}

fn to_ms(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, ms: i64) -> Option<i64> {
    if !valid_date(y, mo, d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, i64::from(mo), i64::from(d));
    Some(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms)
}

/// Parses Twitter API v1.1's `created_at`, `Fri Aug 16 02:15:02 +0000 2013`.
pub fn parse_twitter_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() != 30 {
        return None;
    }
    let mo = month_of(&b[4..7])?;
    let d = digits(&b[8..10])? as u32;
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    let sign = match b[20] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let off = digits(&b[21..23])? * 60 + digits(&b[23..25])?;
    let y = digits(&b[26..30])?;
    Some(to_ms(y, mo, d, h, mi, sec, 0)? - sign * off * 60_000)
}

/// Parses RFC 3339 / ISO 8601 date-times as v2 and most CSV exports write them:
/// `2021-06-22T03:54:34.000Z`, `2021-06-22 03:54:34`, `2021-06-22T03:54:34+02:00`, or a bare
/// date `2021-06-22`. A missing offset means UTC.
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let mo = digits(&b[5..7])? as u32;
    let d = digits(&b[8..10])? as u32;
    if b.len() == 10 {
        return to_ms(y, mo, d, 0, 0, 0, 0);
    }
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    let mut rest = &b[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut f = digits(&frac[..n.min(3)])?;
        for _ in n.min(3)..3 {
            f *= 10;
        }
        ms = f;
        rest = &frac[n..];
    }
    let offset_min = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [b' ', b'U', b'T', b'C'] => 0,
        [sign @ (b'+' | b'-'), hh0, hh1, b':', mm0, mm1]
        | [sign @ (b'+' | b'-'), hh0, hh1, mm0, mm1] => {
            let v = digits(&[*hh0, *hh1])? * 60 + digits(&[*mm0, *mm1])?;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    Some(to_ms(y, mo, d, h, mi, sec, ms)? - offset_min * 60_000)
}

/// Unix timestamps from this value on (year 5138 in seconds, 1973 in milliseconds) are
/// milliseconds.
const FIRST_MILLISECONDS: i64 = 100_000_000_000;

/// Parses a Unix timestamp in seconds (`1629589836`, `1629589836.25`) or, for values too large
/// to be seconds of this era, milliseconds (`1629589836250`).
pub fn parse_unix_time(s: &str) -> Option<i64> {
    // The usual field: whole seconds or milliseconds, digits alone.
    if let Some(v) = digits(s.as_bytes()) {
        return if v >= FIRST_MILLISECONDS {
            Some(v)
        } else {
            Some(v * 1000)
        };
    }
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let neg = int.starts_with('-');
    let v = digits(int.trim_start_matches('-').as_bytes())?;
    let v = if neg { -v } else { v };
    let mut ms = if v.abs() >= FIRST_MILLISECONDS {
        v
    } else {
        v.checked_mul(1000)?
    };
    if let Some(f) = frac {
        let f = f.as_bytes();
        if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if v.abs() < FIRST_MILLISECONDS {
            let mut x = digits(&f[..f.len().min(3)])?;
            for _ in f.len().min(3)..3 {
                x *= 10;
            }
            ms += if neg { -x } else { x };
        }
    }
    Some(ms)
}

/// Parses any of the layouts above.
pub fn parse_any_time(s: &str) -> Option<i64> {
    let t = s.trim();
    let first = t.as_bytes().first()?;
    if t.len() == 30 && first.is_ascii_alphabetic() {
        parse_twitter_date(t)
    } else if t.len() >= 10 && t.as_bytes().get(4) == Some(&b'-') {
        parse_iso_date(t)
    } else {
        parse_unix_time(t)
    }
}

/// Whether a time lies in the accepted range.
pub fn in_range(ms: i64) -> bool {
    (MIN_MS..MAX_MS).contains(&ms)
}

/// Formats ms since the epoch as RFC 3339 in UTC, with milliseconds only when non-zero.
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twitter_v1_dates() {
        assert_eq!(
            parse_twitter_date("Fri Aug 16 02:15:02 +0000 2013"),
            Some(1_376_619_302_000)
        );
        assert_eq!(
            parse_twitter_date("Fri Aug 16 04:15:02 +0200 2013"),
            Some(1_376_619_302_000)
        );
        assert_eq!(parse_twitter_date("Fri Feb 30 02:15:02 +0000 2013"), None);
        assert_eq!(parse_twitter_date("Fri Aug 16 02:15:02 +0000 13"), None);
        assert_eq!(parse_twitter_date("Fri Aug 16 02:15:02 +0000 20X3"), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            parse_iso_date("2021-06-22T03:54:34.000Z"),
            Some(1_624_334_074_000)
        );
        assert_eq!(
            parse_iso_date("2021-06-22T03:54:34.5Z"),
            Some(1_624_334_074_500)
        );
        assert_eq!(
            parse_iso_date("2021-06-22 05:54:34+02:00"),
            Some(1_624_334_074_000)
        );
        assert_eq!(parse_iso_date("2021-06-22"), Some(1_624_320_000_000));
        assert_eq!(parse_iso_date("2021-13-22T03:54:34Z"), None);
        assert_eq!(parse_iso_date("2021-06-22T03:54:34junk"), None);
    }

    #[test]
    fn unix_times() {
        assert_eq!(parse_unix_time("1629589836"), Some(1_629_589_836_000));
        assert_eq!(parse_unix_time("1629589836.25"), Some(1_629_589_836_250));
        assert_eq!(parse_unix_time("1629589836250"), Some(1_629_589_836_250));
        assert_eq!(parse_unix_time("12a"), None);
        assert_eq!(parse_unix_time(""), None);
    }

    #[test]
    fn formatting_round_trips() {
        for ms in [
            0,
            1_376_619_302_000,
            1_624_334_074_500,
            951_782_400_000,
            -86_400_000,
        ] {
            let s = format_rfc3339(ms);
            assert_eq!(parse_iso_date(&s), Some(ms), "{s}");
        }
        assert_eq!(format_rfc3339(1_376_619_302_000), "2013-08-16T02:15:02Z");
    }
}
