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
/// Fields are formatted into one reused buffer, so that a large edge list costs no allocation
/// per edge.
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
    let mut buf = Vec::with_capacity(32);
    let mut int = itoa::Buffer::new();
    for e in &graph.edges {
        for a in [e.source, e.target] {
            match c.accounts.ids.number(a) {
                Some(n) => w.write_field(int.format(n))?,
                None => w.write_field(c.account_id(a).as_bytes())?,
            }
        }
        write_number(&mut w, &mut buf, e.weight)?;
        w.write_field(int.format(e.pairs))?;
        write_number(&mut w, &mut buf, f64::from(e.min_dt_ms) / 1000.0)?;
        write_number(&mut w, &mut buf, e.median_dt_ms / 1000.0)?;
        write_time(&mut w, &mut buf, e.first_ms)?;
        write_time(&mut w, &mut buf, e.last_ms)?;
        if handles {
            w.write_field(c.accounts.handle(e.source).unwrap_or(""))?;
            w.write_field(c.accounts.handle(e.target).unwrap_or(""))?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `x` as `{}` prints it: whole numbers (the common case) through `itoa`.
fn write_number<W: io::Write>(w: &mut csv::Writer<W>, buf: &mut Vec<u8>, x: f64) -> io::Result<()> {
    buf.clear();
    // Below 2^53 a whole number prints as its integer digits; -0 keeps its sign.
    if x.fract() == 0.0 && x.abs() < 9e15 && !(x == 0.0 && x.is_sign_negative()) {
        buf.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else {
        use io::Write;
        write!(buf, "{x}")?;
    }
    w.write_field(&buf[..])?;
    Ok(())
}

/// Writes [`format_time_ms`] of `ms` without allocating.
fn write_time<W: io::Write>(w: &mut csv::Writer<W>, buf: &mut Vec<u8>, ms: i64) -> io::Result<()> {
    buf.clear();
    push_time_ms(buf, ms);
    w.write_field(&buf[..])?;
    Ok(())
}

/// Appends [`format_time_ms`] of `ms` to `buf`.
fn push_time_ms(buf: &mut Vec<u8>, ms: i64) {
    if ms == NO_TIME {
        return;
    }
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = crate::ingest::time::civil_from_days(days);
    if !(0..=9999).contains(&y) {
        buf.extend_from_slice(format_time_ms(ms).as_bytes());
        return;
    }
    let digits = |buf: &mut Vec<u8>, v: i64, width: u32| {
        for k in (0..width).rev() {
            buf.push(b'0' + (v / 10i64.pow(k) % 10) as u8);
        }
    };
    digits(buf, y, 4);
    buf.push(b'-');
    digits(buf, i64::from(m), 2);
    buf.push(b'-');
    digits(buf, i64::from(d), 2);
    buf.push(b'T');
    digits(buf, rem / 3_600_000, 2);
    buf.push(b':');
    digits(buf, rem / 60_000 % 60, 2);
    buf.push(b':');
    digits(buf, rem / 1000 % 60, 2);
    if rem % 1000 != 0 {
        buf.push(b'.');
        digits(buf, rem % 1000, 3);
    }
    buf.push(b'Z');
}

/// A time in ms since the Unix epoch as RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm`
/// before the `Z` when the milliseconds are not zero; empty for [`NO_TIME`].
pub fn format_time_ms(ms: i64) -> String {
    if ms == NO_TIME {
        return String::new();
    }
    crate::ingest::time::format_rfc3339(ms)
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

    /// The buffered writers print exactly what `format_time_ms` and `{}` print.
    #[test]
    fn buffered_fields_match_the_formatters() {
        let mut buf = Vec::new();
        let mut ms = -62_167_219_200_000i64; // 0000-01-01
        while ms < 253_402_300_800_000 {
            for t in [ms, ms + 1, ms + 999, ms + 60_000, ms - 1] {
                buf.clear();
                push_time_ms(&mut buf, t);
                assert_eq!(std::str::from_utf8(&buf).unwrap(), format_time_ms(t));
            }
            ms += 86_400_000 * 37 + 3_723_456;
        }
        for t in [
            NO_TIME,
            -1_000_000_000_000_000,
            1_000_000_000_000_000,
            -62_167_219_200_001,
        ] {
            buf.clear();
            push_time_ms(&mut buf, t);
            assert_eq!(std::str::from_utf8(&buf).unwrap(), format_time_ms(t));
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        let xs = [
            0.0,
            -0.0,
            1.0,
            3.0,
            -7.0,
            0.5,
            1.234,
            60.0,
            1e15,
            9e15,
            1e16,
            1e300,
            0.1 + 0.2,
            f64::NAN,
            f64::INFINITY,
            -1e-7,
        ];
        for x in xs {
            write_number(&mut out, &mut buf, x).unwrap();
        }
        out.write_record(None::<&[u8]>).unwrap();
        let got = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let want = xs.map(|x| format!("{x}")).join(",") + "\n";
        assert_eq!(got, want);
    }
}
