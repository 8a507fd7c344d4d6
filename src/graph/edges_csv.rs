/*!
The co-action edge list as CSV: `source,target,weight,pairs,min_dt,median_dt,first,last`, with
`source_first,target_first` (pairs in which each account acted first) and
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

/// The optional columns of the edge list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeCsvColumns {
    /// `source_first,target_first`: [`CoActionEdge::source_first`] and
    /// [`CoActionEdge::target_first`].
    pub leads: bool,
    /// `source_handle,target_handle`: the accounts' handles as last seen.
    pub handles: bool,
}

/// Edges formatted by one task.
const EDGES_PER_TASK: usize = 8192;

/// Writes the edges of `graph` as CSV to `out`, quoting as the `csv` crate does (a field is
/// quoted when it holds a comma, a quote or a line break; quotes are doubled).
///
/// Edges are formatted on all threads, a task's worth into each buffer, and the buffers are
/// written in order, a bounded group at a time, while the next group is formatted: the bytes
/// do not depend on the thread count.
///
/// # Errors
/// Any error of the writer.
pub fn write_edges_csv<W: io::Write + Send>(
    mut out: W,
    graph: &CoActionGraph,
    c: &Collection,
    columns: EdgeCsvColumns,
) -> io::Result<()> {
    let mut header = b"source,target,weight,pairs,min_dt,median_dt,first,last".to_vec();
    if columns.leads {
        header.extend_from_slice(b",source_first,target_first");
    }
    if columns.handles {
        header.extend_from_slice(b",source_handle,target_handle");
    }
    header.push(b'\n');
    out.write_all(&header)?;
    let format = |edges: &[CoActionEdge]| -> Vec<Vec<u8>> {
        edges
            .par_chunks(EDGES_PER_TASK)
            .map(|edges| {
                let mut buf = Vec::with_capacity(edges.len() * 80);
                let mut day = Day::default();
                for e in edges {
                    push_edge(&mut buf, e, c, columns, &mut day);
                }
                buf
            })
            .collect()
    };
    let write = |out: &mut W, parts: Vec<Vec<u8>>| -> io::Result<()> {
        parts.iter().try_for_each(|part| out.write_all(part))
    };
    let group = EDGES_PER_TASK * 4 * rayon::current_num_threads();
    let mut formatted: Vec<Vec<u8>> = Vec::new();
    for edges in graph.edges.chunks(group) {
        let (next, written) = rayon::join(
            || format(edges),
            || write(&mut out, std::mem::take(&mut formatted)),
        );
        written?;
        formatted = next;
    }
    write(&mut out, formatted)?;
    out.flush()
}

/// Appends one edge's record.
fn push_edge(
    buf: &mut Vec<u8>,
    e: &CoActionEdge,
    c: &Collection,
    columns: EdgeCsvColumns,
    day: &mut Day,
) {
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
    push_seconds(buf, f64::from(e.min_dt_ms));
    buf.push(b',');
    push_seconds(buf, e.median_dt_ms);
    buf.push(b',');
    push_time_ms(buf, e.first_ms, day);
    buf.push(b',');
    push_time_ms(buf, e.last_ms, day);
    if columns.leads {
        buf.push(b',');
        buf.extend_from_slice(int.format(e.source_first).as_bytes());
        buf.push(b',');
        buf.extend_from_slice(int.format(e.target_first).as_bytes());
    }
    if columns.handles {
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

/// Appends `ms / 1000` as `{}` prints it. Durations are whole or half milliseconds (a median
/// of two), whose quotient is an exact decimal of at most four places: printed from integers,
/// it is the shortest decimal that reads back as the same `f64`, which is what `{}` prints.
/// Anything else goes through `{}`.
fn push_seconds(buf: &mut Vec<u8>, ms: f64) {
    const LIMIT: f64 = (1u64 << 40) as f64;
    let tenths = ms * 10.0;
    // ms = tenths / 10, seconds = tenths / 10^4.
    let whole_or_half =
        ms.abs() < LIMIT && !ms.is_sign_negative() && tenths == (tenths as u64) as f64;
    let tenths = tenths as u64;
    if !whole_or_half || !tenths.is_multiple_of(5) {
        push_number(buf, ms / 1000.0);
        return;
    }
    let mut int = itoa::Buffer::new();
    buf.extend_from_slice(int.format(tenths / 10_000).as_bytes());
    let mut frac = tenths % 10_000;
    if frac == 0 {
        return;
    }
    let mut digits = 4;
    while frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    buf.push(b'.');
    let text = int.format(frac).as_bytes();
    buf.extend(std::iter::repeat_n(b'0', digits - text.len()));
    buf.extend_from_slice(text);
}

/// Two ASCII digits for each of 0..100.
const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

fn pair(v: i64) -> [u8; 2] {
    let i = 2 * v as usize;
    [PAIRS[i], PAIRS[i + 1]]
}

/// Dates formatted so far, by day number modulo [`Day::SLOTS`]: an edge list's times mostly
/// fall on a few days, but consecutive edges jump between them.
struct Day {
    /// Days since the epoch and `YYYY-MM-DD` (`None` for a year outside 0..=9999), or `None`
    /// for a slot not filled yet.
    slots: [Option<(i64, Option<[u8; 10]>)>; Day::SLOTS],
}

impl Day {
    const SLOTS: usize = 64;
}

impl Default for Day {
    fn default() -> Self {
        Day {
            slots: [None; Day::SLOTS],
        }
    }
}

/// Appends [`format_time_ms`] of `ms`, laid out in a fixed buffer (the hot path of an edge
/// list: two times per edge), with its date from `day` when that day was formatted before.
fn push_time_ms(buf: &mut Vec<u8>, ms: i64, day: &mut Day) {
    if ms == NO_TIME {
        return;
    }
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let slot = &mut day.slots[days.rem_euclid(Day::SLOTS as i64) as usize];
    let date = match *slot {
        Some((d, date)) if d == days => date,
        _ => {
            let (y, m, d) = crate::ingest::time::civil_from_days(days);
            let date = (0..=9999).contains(&y).then(|| {
                let mut date = *b"0000-00-00";
                date[0..2].copy_from_slice(&pair(y / 100));
                date[2..4].copy_from_slice(&pair(y % 100));
                date[5..7].copy_from_slice(&pair(i64::from(m)));
                date[8..10].copy_from_slice(&pair(i64::from(d)));
                date
            });
            *slot = Some((days, date));
            date
        }
    };
    let Some(date) = date else {
        buf.extend_from_slice(format_time_ms(ms).as_bytes());
        return;
    };
    let mut out = *b"0000-00-00T00:00:00.000Z";
    out[..10].copy_from_slice(&date);
    out[11..13].copy_from_slice(&pair(rem / 3_600_000));
    out[14..16].copy_from_slice(&pair(rem / 60_000 % 60));
    out[17..19].copy_from_slice(&pair(rem / 1000 % 60));
    let millis = rem % 1000;
    if millis == 0 {
        buf.extend_from_slice(&out[..19]);
        buf.push(b'Z');
    } else {
        out[20] = b'0' + (millis / 100) as u8;
        out[21..23].copy_from_slice(&pair(millis % 100));
        buf.extend_from_slice(&out);
    }
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
        let mut day = Day::default();
        let mut ms = -62_167_219_200_000i64; // 0000-01-01
        while ms < 253_402_300_800_000 {
            for t in [ms, ms + 1, ms + 999, ms + 60_000, ms - 1] {
                buf.clear();
                push_time_ms(&mut buf, t, &mut day);
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
            push_time_ms(&mut buf, t, &mut day);
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

    /// Durations print exactly as `{}` prints them in seconds.
    #[test]
    fn seconds_print_as_the_formatter_does() {
        let mut buf = Vec::new();
        let mut check = |ms: f64| {
            buf.clear();
            push_seconds(&mut buf, ms);
            assert_eq!(
                std::str::from_utf8(&buf).unwrap(),
                format!("{}", ms / 1000.0),
                "{ms}"
            );
        };
        for ms in 0..200_000u32 {
            check(f64::from(ms));
            check(f64::from(ms) + 0.5);
        }
        for ms in [
            1e9,
            123_456_789.5,
            (1u64 << 40) as f64 - 0.5,
            (1u64 << 40) as f64,
            1e15 + 0.5,
            0.25,
            0.1,
            -0.0,
            -1.0,
            -2.5,
            f64::NAN,
            f64::INFINITY,
        ] {
            check(ms);
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
