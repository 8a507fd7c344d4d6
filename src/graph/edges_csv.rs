/*!
The co-action edge list as CSV: `source,target,weight,pairs,min_dt,median_dt,first,last`, with
`source_handle,target_handle` appended on request.

`source` and `target` are account ids as the input wrote them; `min_dt` and `median_dt` are in
seconds (exact decimals, up to four places); `first` and `last` are UTC times in RFC 3339
(`2017-05-05T18:00:00Z`, with milliseconds only when they are not zero). Numbers print in
their shortest exact form, so the bytes depend only on the edges.
*/

use std::io;

use super::CoActionGraph;
use crate::model::{Collection, NO_TIME};

/// Writes the edges of `graph` as CSV to `out`.
///
/// # Errors
/// Any error of the writer.
pub fn write_edges_csv<W: io::Write>(
    out: W,
    graph: &CoActionGraph,
    c: &Collection,
    handles: bool,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "source",
        "target",
        "weight",
        "pairs",
        "min_dt",
        "median_dt",
        "first",
        "last",
    ];
    if handles {
        header.extend(["source_handle", "target_handle"]);
    }
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for e in &graph.edges {
        row.clear();
        row.push(c.account_id(e.source).into_owned());
        row.push(c.account_id(e.target).into_owned());
        row.push(format!("{}", e.weight));
        row.push(e.pairs.to_string());
        row.push(format!("{}", f64::from(e.min_dt_ms) / 1000.0));
        row.push(format!("{}", e.median_dt_ms / 1000.0));
        row.push(format_time_ms(e.first_ms));
        row.push(format_time_ms(e.last_ms));
        if handles {
            row.push(c.accounts.handle(e.source).unwrap_or("").to_string());
            row.push(c.accounts.handle(e.target).unwrap_or("").to_string());
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// A time in ms since the Unix epoch as RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm`
/// before the `Z` when the milliseconds are not zero; empty for [`NO_TIME`].
pub fn format_time_ms(ms: i64) -> String {
    if ms == NO_TIME {
        return String::new();
    }
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if millis != 0 {
        s.push_str(&format!(".{millis:03}"));
    }
    s.push('Z');
    s
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, <http://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_as_rfc3339() {
        assert_eq!(format_time_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time_ms(1_494_007_200_000), "2017-05-05T18:00:00Z");
        assert_eq!(format_time_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(format_time_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_time_ms(NO_TIME), "");
    }
}
