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
use std::sync::Mutex;

use rayon::prelude::*;

use super::co_action::hand_out_in_runs;
use super::{CoActionEdge, CoActionGraph};
use crate::model::{AccountIx, Collection, IdSpace, NO_TIME, prefetch_line};

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

/// How many edges ahead the formatting asks for an id.
const PREFETCH_EDGES: usize = 8;

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
    let format = EdgeCsvFormat::new(c, columns, graph.edges.len() as u64);
    out.write_all(&format.header())?;
    hand_out_in_runs(
        &graph.edges,
        EDGES_PER_TASK,
        |edges| format.records(edges),
        |records| format.write_records(&mut out, records),
    )?;
    out.flush()
}

/// The edge list's header and records, for edges handed out a run at a time (see
/// [`PairedLayer::stream`](super::PairedLayer::stream)) or all at once
/// ([`write_edges_csv`]).
pub struct EdgeCsvFormat<'c> {
    c: &'c Collection,
    columns: EdgeCsvColumns,
    ids: IdDigits<'c>,
    /// `kind,` before every record, for an edge list of several layers.
    kind: Option<&'static str>,
    /// Buffers of records already written, for later records: a new buffer would be zeroed
    /// and faulted in page by page.
    spare: Mutex<Vec<Vec<u8>>>,
}

/// The most buffers an [`EdgeCsvFormat`] keeps for later records.
const SPARE_BUFFERS: usize = 64;

/// Records laid out by [`EdgeCsvFormat::records`], one line each; write them with
/// [`EdgeCsvFormat::write_records`], which keeps their buffer for later records. Each record
/// is laid out in place, in room reserved past the records written.
pub struct EdgeRecords {
    /// Bytes `..len` are the records; the rest is initialized room for the next ones.
    buf: Vec<u8>,
    len: usize,
}

impl std::ops::Deref for EdgeRecords {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<'c> EdgeCsvFormat<'c> {
    /// The format of `c`'s edges, for about `edges` edges (an upper bound will do: it
    /// decides whether account ids are formatted once each, up front).
    pub fn new(c: &'c Collection, columns: EdgeCsvColumns, edges: u64) -> Self {
        EdgeCsvFormat {
            c,
            columns,
            ids: IdDigits::new(c, usize::try_from(edges).unwrap_or(usize::MAX)),
            kind: None,
            spare: Mutex::new(Vec::new()),
        }
    }

    /// Starts every record with `kind,` (and the header with `kind,`): the layers of several
    /// kinds in one edge list.
    pub fn with_kind(mut self, kind: super::CoActionKind) -> Self {
        self.kind = Some(kind.name());
        self
    }

    /// The header line.
    pub fn header(&self) -> Vec<u8> {
        let mut header = Vec::new();
        if self.kind.is_some() {
            header.extend_from_slice(b"kind,");
        }
        header.extend_from_slice(b"source,target,weight,pairs,min_dt,median_dt,first,last");
        if self.columns.leads {
            header.extend_from_slice(b",source_first,target_first");
        }
        if self.columns.handles {
            header.extend_from_slice(b",source_handle,target_handle");
        }
        header.push(b'\n');
        header
    }

    /// The records of `edges`, one line each.
    pub fn records(&self, edges: &[CoActionEdge]) -> EdgeRecords {
        let mut out = EdgeRecords {
            buf: self.buffer(edges.len() * 96 + LINE_ROOM),
            len: 0,
        };
        let (mut day, mut scratch) = (Day::default(), Vec::new());
        for (i, e) in edges.iter().enumerate() {
            // Targets jump about the accounts: their ids are asked for ahead.
            if let Some(ahead) = edges.get(i + PREFETCH_EDGES) {
                self.ids.prefetch(ahead.target);
            }
            if let Some(kind) = self.kind {
                out.put_slice(kind.as_bytes());
                out.put_slice(b",");
            }
            let mut line = out.line();
            if put_edge(&mut line, e, &self.ids, self.columns, &mut day) {
                out.len += line.len;
            } else {
                scratch.clear();
                push_edge(&mut scratch, e, self.c, self.columns, &mut day);
                out.put_slice(&scratch);
            }
        }
        out
    }

    /// Writes `records` to `out` and takes back their buffer for later records.
    ///
    /// # Errors
    /// Any error of the writer.
    pub fn write_records(
        &self,
        out: &mut (impl io::Write + ?Sized),
        records: EdgeRecords,
    ) -> io::Result<()> {
        out.write_all(&records)?;
        if let Ok(mut spare) = self.spare.lock()
            && spare.len() < SPARE_BUFFERS
        {
            spare.push(records.buf);
        }
        Ok(())
    }

    /// The smallest kept buffer of at least `bytes` bytes, or a new one. New buffers are
    /// sized to a power of two, so that runs a little longer than the one that made them
    /// still fit: a buffer grown in place would copy the bytes it holds and fault in its new
    /// pages, and one left too small would not be reused.
    fn buffer(&self, bytes: usize) -> Vec<u8> {
        let kept = self.spare.lock().ok().and_then(|mut spare| {
            let fit = (0..spare.len())
                .filter(|&i| spare[i].len() >= bytes)
                .min_by_key(|&i| spare[i].len())?;
            Some(spare.swap_remove(fit))
        });
        kept.unwrap_or_else(|| vec![0; bytes.next_power_of_two()])
    }
}

impl EdgeRecords {
    /// Makes room for `bytes` more bytes past `len`, growing the buffer geometrically.
    fn reserve(&mut self, bytes: usize) {
        if self.buf.len() < self.len + bytes {
            self.buf
                .resize((self.buf.len() * 2).max(self.len + bytes), 0);
        }
    }

    /// Room for the next record.
    fn line(&mut self) -> Line<'_> {
        self.reserve(LINE_ROOM);
        let room = (&mut self.buf[self.len..self.len + LINE_ROOM])
            .try_into()
            .expect("LINE_ROOM bytes");
        Line { room, len: 0 }
    }

    fn put_slice(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// Room for one record on the fast path: at most 203 bytes (two 20-digit ids, a 17-byte
/// weight, three more 20-digit counts, two 14-byte durations, two 24-byte times and the
/// separators), plus the slack of a fixed-size copy.
const LINE_ROOM: usize = 256;

/// One record laid out with fixed-size copies, which compile to a few moves each.
struct Line<'a> {
    room: &'a mut [u8; LINE_ROOM],
    len: usize,
}

/// The bytes `put` lays out on a line of its own.
fn laid_out(put: impl FnOnce(&mut Line<'_>)) -> ([u8; LINE_ROOM], usize) {
    let mut room = [0u8; LINE_ROOM];
    let mut line = Line {
        room: &mut room,
        len: 0,
    };
    put(&mut line);
    let len = line.len;
    (room, len)
}

impl Line<'_> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.room[self.len] = b;
        self.len += 1;
    }

    /// Copies all of `src` and keeps its first `used` bytes.
    #[inline(always)]
    fn copy<const N: usize>(&mut self, src: &[u8; N], used: usize) {
        self.room[self.len..self.len + N].copy_from_slice(src);
        self.len += used;
    }

    /// `v` in decimal, written from its last digit back.
    #[inline(always)]
    fn number(&mut self, mut v: u64) {
        if v < 10 {
            // Counts and weights are mostly single digits.
            self.byte(b'0' + v as u8);
            return;
        }
        let digits = v.checked_ilog10().unwrap_or(0) as usize + 1;
        let mut i = self.len + digits;
        while v >= 100 {
            i -= 2;
            self.room[i..i + 2].copy_from_slice(&pair((v % 100) as i64));
            v /= 100;
        }
        if v >= 10 {
            self.room[i - 2..i].copy_from_slice(&pair(v as i64));
        } else {
            self.room[i - 1] = b'0' + v as u8;
        }
        self.len += digits;
    }
}

/// Account ids in decimal, made once when the edges name accounts more often than there
/// are accounts: bytes `..20` hold the digits, byte 23 their count (0 for an id that is not
/// a number, which takes the general path).
struct IdDigits<'c> {
    ids: &'c IdSpace,
    table: Vec<[u8; 24]>,
}

impl<'c> IdDigits<'c> {
    fn new(c: &'c Collection, edges: usize) -> Self {
        let ids = &c.accounts.ids;
        let accounts = c.accounts.len();
        let table = if edges.saturating_mul(2) < accounts {
            Vec::new()
        } else {
            (0..accounts as u32)
                .into_par_iter()
                .map(|a| {
                    let mut entry = [0u8; 24];
                    if let Some(n) = ids.number(a) {
                        let (digits, used) = laid_out(|line| line.number(n));
                        entry[..used].copy_from_slice(&digits[..used]);
                        entry[23] = used as u8;
                    }
                    entry
                })
                .collect()
        };
        IdDigits { ids, table }
    }

    /// Starts loading account `a`'s entry.
    fn prefetch(&self, a: AccountIx) {
        if let Some(entry) = self.table.get(a as usize) {
            prefetch_line(&entry[0]);
            prefetch_line(&entry[23]);
        }
    }

    /// Writes account `a`'s id; false for an id that is not a number.
    #[inline(always)]
    fn put(&self, line: &mut Line<'_>, a: AccountIx) -> bool {
        if let Some(entry) = self.table.get(a as usize) {
            let used = usize::from(entry[23]);
            line.copy(entry, used);
            return used > 0;
        }
        match self.ids.number(a) {
            Some(n) => {
                line.number(n);
                true
            }
            None => false,
        }
    }
}

/// Lays out one edge's record as [`push_edge`] appends it, for the common case: ids that
/// are numbers, a whole weight, durations in whole or half milliseconds, years 0 to 9999,
/// no handles. Returns false for any other edge, having written part of it or nothing.
#[inline(always)]
fn put_edge(
    line: &mut Line<'_>,
    e: &CoActionEdge,
    ids: &IdDigits<'_>,
    columns: EdgeCsvColumns,
    day: &mut Day,
) -> bool {
    if columns.handles {
        return false;
    }
    for a in [e.source, e.target] {
        if !ids.put(line, a) {
            return false;
        }
        line.byte(b',');
    }
    let w = e.weight;
    if !is_small_whole(w) {
        return false;
    }
    if w < 0.0 {
        line.byte(b'-');
    }
    line.number(w.abs() as u64);
    line.byte(b',');
    line.number(e.pairs);
    line.byte(b',');
    let min_at = line.len;
    put_tenths_of_ms(line, u64::from(e.min_dt_ms) * 10);
    let min_end = line.len;
    line.byte(b',');
    if e.median_dt_ms == f64::from(e.min_dt_ms) {
        // Most edges rest on one pair, whose median is its only Δt.
        line.room.copy_within(min_at..min_end, line.len);
        line.len += min_end - min_at;
    } else {
        let Some(median) = whole_or_half_tenths(e.median_dt_ms) else {
            return false;
        };
        put_tenths_of_ms(line, median);
    }
    for ms in [e.first_ms, e.last_ms] {
        line.byte(b',');
        if ms != NO_TIME {
            let Some((time, used)) = time_bytes(ms, day) else {
                return false;
            };
            line.copy(&time, used);
        }
    }
    if columns.leads {
        line.byte(b',');
        line.number(e.source_first);
        line.byte(b',');
        line.number(e.target_first);
    }
    line.byte(b'\n');
    true
}

/// Lays out a duration of `tenths` tenths of a millisecond in seconds, as [`push_seconds`]
/// appends whole or half milliseconds below 2^40.
#[inline(always)]
fn put_tenths_of_ms(line: &mut Line<'_>, tenths: u64) {
    line.number(tenths / 10_000);
    let frac = tenths % 10_000;
    if frac != 0 {
        let mut text = [b'.', 0, 0, 0, 0];
        text[1..3].copy_from_slice(&pair((frac / 100) as i64));
        text[3..5].copy_from_slice(&pair((frac % 100) as i64));
        let kept = if frac.is_multiple_of(1000) {
            1
        } else if frac.is_multiple_of(100) {
            2
        } else if frac.is_multiple_of(10) {
            3
        } else {
            4
        };
        line.copy(&text, 1 + kept);
    }
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
    if is_small_whole(x) {
        buf.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else {
        use io::Write;
        let _ = write!(buf, "{x}");
    }
}

/// Whether `x` prints as its integer digits: a whole number below 2^53 (-0 keeps its sign).
/// In that range a number is whole when it survives a round trip through `i64`, which needs
/// no call to `trunc`.
fn is_small_whole(x: f64) -> bool {
    x.abs() < 9e15 && (x as i64) as f64 == x && !(x == 0.0 && x.is_sign_negative())
}

/// `ms · 10` for whole or half milliseconds below 2^40, the durations printed from integers.
fn whole_or_half_tenths(ms: f64) -> Option<u64> {
    const LIMIT: f64 = (1u64 << 40) as f64;
    let tenths = ms * 10.0;
    // Through `i64`, whose conversions are single instructions, unlike those of `u64`.
    let exact = ms.abs() < LIMIT && !ms.is_sign_negative() && tenths == (tenths as i64) as f64;
    let tenths = tenths as i64 as u64;
    (exact && tenths.is_multiple_of(5)).then_some(tenths)
}

/// Appends `ms / 1000` as `{}` prints it. Durations are whole or half milliseconds (a median
/// of two), whose quotient is an exact decimal of at most four places: printed from integers,
/// it is the shortest decimal that reads back as the same `f64`, which is what `{}` prints.
/// Anything else goes through `{}`.
fn push_seconds(buf: &mut Vec<u8>, ms: f64) {
    match whole_or_half_tenths(ms) {
        Some(tenths) => {
            let (text, len) = laid_out(|line| put_tenths_of_ms(line, tenths));
            buf.extend_from_slice(&text[..len]);
        }
        None => push_number(buf, ms / 1000.0),
    }
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

/// Appends [`format_time_ms`] of `ms`: [`time_bytes`] in range.
fn push_time_ms(buf: &mut Vec<u8>, ms: i64, day: &mut Day) {
    if ms == NO_TIME {
        return;
    }
    match time_bytes(ms, day) {
        Some((time, used)) => buf.extend_from_slice(&time[..used]),
        None => buf.extend_from_slice(format_time_ms(ms).as_bytes()),
    }
}

/// [`format_time_ms`] of `ms` (not [`NO_TIME`]) laid out in a fixed buffer, with how many of
/// its bytes it fills (the hot path of an edge list: two times per edge), its date taken
/// from `day` when that day was formatted before; `None` for a year outside 0..=9999.
#[inline(always)]
fn time_bytes(ms: i64, day: &mut Day) -> Option<([u8; 24], usize)> {
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
    let mut out = *b"0000-00-00T00:00:00.000Z";
    out[..10].copy_from_slice(&date?);
    out[11..13].copy_from_slice(&pair(rem / 3_600_000));
    out[14..16].copy_from_slice(&pair(rem / 60_000 % 60));
    out[17..19].copy_from_slice(&pair(rem / 1000 % 60));
    let millis = rem % 1000;
    if millis == 0 {
        out[19] = b'Z';
        Some((out, 20))
    } else {
        out[20] = b'0' + (millis / 100) as u8;
        out[21..23].copy_from_slice(&pair(millis % 100));
        Some((out, 24))
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

    /// Records laid out on the fast path are byte for byte those of the general path, and
    /// edges the fast path declines (ids that are not numbers, fractional weights and
    /// durations, times out of range, handles) come out as the general path writes them.
    #[test]
    fn fast_records_match_the_general_path() {
        use crate::model::{AccountRef, CollectionBuilder};
        let mut b = CollectionBuilder::new();
        let ids = [
            "7",
            "18446744073709551615",
            "0",
            "u,3",
            "123456789012345678",
            "x\"y",
        ];
        for id in ids {
            b.account(AccountRef {
                id: Some(id),
                handle: Some(id),
            });
        }
        let c = b.finish().0;
        let mut edges = Vec::new();
        let weights = [0.0, 1.0, 3.0, 12.0, 2.5, 1e16, -4.0, f64::NAN, 1.0 / 3.0];
        // Medians equal to the least Δt (5 and 60,000 ms) are copied from it on the fast path.
        let durations = [0.0, 5.0, 60_000.0, 999.0, 60_000.5, 0.25, 1e13, 1234.5];
        let times = [
            NO_TIME,
            0,
            1_494_007_200_123,
            -1,
            253_402_300_800_000,
            -62_167_219_200_001,
        ];
        let mut k = 0usize;
        for s in 0..ids.len() as u32 {
            for t in 0..ids.len() as u32 {
                for _ in 0..8 {
                    k += 1;
                    edges.push(CoActionEdge {
                        source: s,
                        target: t,
                        weight: weights[k % weights.len()],
                        objects: 1,
                        pairs: [1, 7, u64::MAX][k % 3],
                        min_dt_ms: [0, 5, 60_000, u32::MAX][k % 4],
                        median_dt_ms: durations[k % durations.len()],
                        first_ms: times[k % times.len()],
                        last_ms: times[(k / 3) % times.len()],
                        source_first: [0, 3, u64::MAX][k % 3],
                        target_first: [2, 0][k % 2],
                    });
                }
            }
        }
        // Both paths are taken.
        let format = EdgeCsvFormat::new(&c, EdgeCsvColumns::default(), 0);
        let fast = edges
            .iter()
            .filter(|e| {
                let mut room = [0u8; LINE_ROOM];
                let mut line = Line {
                    room: &mut room,
                    len: 0,
                };
                put_edge(
                    &mut line,
                    e,
                    &format.ids,
                    format.columns,
                    &mut Day::default(),
                )
            })
            .count();
        assert!(fast >= 10 && fast < edges.len(), "{fast}");
        for (leads, handles) in [(false, false), (true, false), (false, true), (true, true)] {
            let columns = EdgeCsvColumns { leads, handles };
            let mut expected = Vec::new();
            let mut day = Day::default();
            for e in &edges {
                push_edge(&mut expected, e, &c, columns, &mut day);
            }
            // With the id table (more edges than accounts) and without it.
            for bound in [edges.len() as u64, 0] {
                let format = EdgeCsvFormat::new(&c, columns, bound);
                // Each run laid out over the bytes of runs written before.
                let mut got = Vec::new();
                for run in edges.chunks(5) {
                    format.write_records(&mut got, format.records(run)).unwrap();
                }
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(expected.clone()).unwrap(),
                    "leads {leads}, handles {handles}, bound {bound}"
                );
            }
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
