/*!
The co-action edge list as CSV: `source,target,weight,pairs,min_dt,median_dt,first,last`, with
`source_handle,target_handle` appended on request.

`source` and `target` are account ids as the input wrote them; `min_dt` and `median_dt` are in
seconds (exact decimals, up to four places); `first` and `last` are UTC times in RFC 3339
(`2017-05-05T18:00:00Z`, with milliseconds only when they are not zero). Numbers print in
their shortest exact form, so the bytes depend only on the edges.
*/

use std::io;

use rayon::prelude::*;

use super::{CoActionEdge, CoActionGraph};
use crate::model::{Collection, NO_TIME};

/// Edges formatted by one task.
const EDGES_PER_TASK: usize = 8192;

/// Writes the edges of `graph` as CSV to `out`, quoting as the `csv` crate does (a field is
/// quoted when it holds a comma, a quote or a line break; quotes are doubled).
///
/// Edges are formatted on all threads, a task's worth into each buffer, and the buffers are
/// written in order, a bounded group at a time: the bytes do not depend on the thread count.
///
/// # Errors
/// Any error of the writer.
pub fn write_edges_csv<W: io::Write>(
    mut out: W,
    graph: &CoActionGraph,
    c: &Collection,
    handles: bool,
) -> io::Result<()> {
    let mut header = b"source,target,weight,pairs,min_dt,median_dt,first,last".to_vec();
    if handles {
        header.extend_from_slice(b",source_handle,target_handle");
    }
    header.push(b'\n');
    out.write_all(&header)?;
    let group = EDGES_PER_TASK * 4 * rayon::current_num_threads();
    for edges in graph.edges.chunks(group) {
        let parts: Vec<Vec<u8>> = edges
            .par_chunks(EDGES_PER_TASK)
            .map(|edges| {
                let mut buf = Vec::with_capacity(edges.len() * 80);
                for e in edges {
                    push_edge(&mut buf, e, c, handles);
                }
                buf
            })
            .collect();
        for part in parts {
            out.write_all(&part)?;
        }
    }
    out.flush()
}

/// Appends one edge's record.
fn push_edge(buf: &mut Vec<u8>, e: &CoActionEdge, c: &Collection, handles: bool) {
    let mut int = itoa::Buffer::new();
    for a in [e.source, e.target] {
        match c.accounts.ids.number(a) {
            Some(n) => buf.extend_from_slice(int.format(n).as_bytes()),
            None => push_field(buf, c.account_id(a).as_bytes()),
        }
        buf.push(b',');
    }
    push_number(buf, e.weight);
    buf.push(b',');
    buf.extend_from_slice(int.format(e.pairs).as_bytes());
    buf.push(b',');
    push_number(buf, f64::from(e.min_dt_ms) / 1000.0);
    buf.push(b',');
    push_number(buf, e.median_dt_ms / 1000.0);
    buf.push(b',');
    push_time_ms(buf, e.first_ms);
    buf.push(b',');
    push_time_ms(buf, e.last_ms);
    if handles {
        for a in [e.source, e.target] {
            buf.push(b',');
            push_field(buf, c.accounts.handle(a).unwrap_or("").as_bytes());
        }
    }
    buf.push(b'\n');
}

/// Appends a text field, quoted when it holds a comma, a quote or a line break.
fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        buf.extend_from_slice(field);
        return;
    }
    buf.push(b'"');
    for &b in field {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

/// Appends `x` as `{}` prints it: whole numbers (the common case) through `itoa`.
fn push_number(buf: &mut Vec<u8>, x: f64) {
    // Below 2^53 a whole number prints as its integer digits; -0 keeps its sign.
    if x.fract() == 0.0 && x.abs() < 9e15 && !(x == 0.0 && x.is_sign_negative()) {
        buf.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else {
        use io::Write;
        let _ = write!(buf, "{x}");
    }
}

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
            buf.clear();
            push_number(&mut buf, x);
            assert_eq!(std::str::from_utf8(&buf).unwrap(), format!("{x}"));
        }
    }

    /// Text fields are quoted exactly as the `csv` crate quotes them.
    #[test]
    fn text_fields_are_quoted_as_the_csv_crate_does() {
        let fields: [&[u8]; 9] = [
            b"",
            b"plain",
            b"a,b",
            b"say \"hi\"",
            b"line\nbreak",
            b"cr\r",
            b"\"",
            b"#x y",
            "é,ü".as_bytes(),
        ];
        let mut ours = Vec::new();
        let mut theirs = csv::Writer::from_writer(Vec::new());
        for f in fields {
            push_field(&mut ours, f);
            ours.push(b',');
            theirs.write_field(f).unwrap();
        }
        ours.pop();
        ours.push(b'\n');
        theirs.write_record(None::<&[u8]>).unwrap();
        assert_eq!(ours, theirs.into_inner().unwrap());
    }
}
