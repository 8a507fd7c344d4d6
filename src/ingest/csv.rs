/*!
CSV tables of posts, read through a column mapping.

Other tools write one row per post (coordination-network-toolkit's 8 columns) or one row per
post and object (CooRTweet's `object_id,account_id,content_id,timestamp_share`, its German
election table with one row per URL, hashtag or image). A [`ColumnMapping`] says which column
plays which role; it is given with `--columns`, chosen by preset name, or inferred from the
header. Rows that repeat a post id add their objects to that post.
*/

use std::fmt;
use std::io::Read;

use rayon::prelude::*;

use crate::model::{Origin, PostKind, TextFingerprint};

use super::Parts;
use super::batch::{AccountStr, Batch, Op, PostRec, RefStr, Str};
use super::error::{IngestError, SkipReason};
use super::time::{in_range, parse_any_time};

/// What a CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The post id.
    Post,
    /// The author's account id.
    Account,
    /// The author's handle.
    Handle,
    /// The post time (Unix seconds or milliseconds, RFC 3339, or v1.1's date format).
    Time,
    /// A generic object the post acts on (an image hash, a shared item id).
    Object,
    /// The id of the retweeted post.
    RetweetOf,
    /// The id of the post replied to.
    ReplyTo,
    /// The id of the quoted post.
    QuoteOf,
    /// The text.
    Text,
    /// URLs, separated by spaces.
    Urls,
    /// Hashtags, separated by spaces, commas, semicolons or `|`.
    Hashtags,
    /// Mentioned handles, separated like hashtags.
    Mentions,
    /// A domain.
    Domain,
    /// The language code.
    Lang,
    /// The client.
    Client,
}

impl Role {
    const ALL: [(Role, &'static str, &'static [&'static str]); 15] = [
        (
            Role::Post,
            "post",
            &[
                "post_id",
                "message_id",
                "content_id",
                "tweet_id",
                "status_id",
                "id",
            ],
        ),
        (
            Role::Account,
            "account",
            &["account_id", "user_id", "author_id", "from_user_id"],
        ),
        (
            Role::Handle,
            "handle",
            &[
                "username",
                "screen_name",
                "user_screen_name",
                "handle",
                "author_username",
            ],
        ),
        (
            Role::Time,
            "time",
            &[
                "timestamp",
                "timestamp_share",
                "created_at",
                "time",
                "date",
                "datetime",
            ],
        ),
        (Role::Object, "object", &["object_id", "phash_id", "object"]),
        (
            Role::RetweetOf,
            "retweet_of",
            &[
                "repost_id",
                "retweet_id",
                "retweeted_status_id",
                "retweeted_id",
                "retweet_of",
            ],
        ),
        (
            Role::ReplyTo,
            "reply_to",
            &[
                "reply_id",
                "in_reply_to_status_id",
                "reply_to_id",
                "reply_to",
            ],
        ),
        (
            Role::QuoteOf,
            "quote_of",
            &["quote_id", "quoted_status_id", "quote_of"],
        ),
        (
            Role::Text,
            "text",
            &["message", "text", "full_text", "content"],
        ),
        (
            Role::Urls,
            "urls",
            &["urls", "url", "url_id", "expanded_url", "expanded_urls"],
        ),
        (
            Role::Hashtags,
            "hashtags",
            &["hashtags", "hashtag", "hashtag_id"],
        ),
        (Role::Mentions, "mentions", &["mentions", "user_mentions"]),
        (Role::Domain, "domain", &["domain", "domain_id"]),
        (Role::Lang, "lang", &["lang", "language"]),
        (Role::Client, "client", &["source", "client"]),
    ];

    fn parse(name: &str) -> Option<Role> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(r, _, _)| *r)
    }

    /// The role's name in `--columns`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _, _)| *r == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }
}

/// A column named by header name or by 1-based position (`#3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// A header name (compared case-insensitively).
    Name(String),
    /// A 1-based position.
    Position(usize),
}

/// Which column plays which role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnMapping {
    /// Role and column pairs.
    pub columns: Vec<(Role, ColumnRef)>,
}

/// The presets accepted by `--columns`.
pub const PRESETS: [(&str, &str); 2] = [
    (
        "coortweet",
        "object=object_id,account=account_id,post=content_id,time=timestamp_share",
    ),
    (
        "cnt",
        "post=#1,account=#2,handle=#3,retweet_of=#4,reply_to=#5,text=#6,time=#7,urls=#8",
    ),
];

impl std::str::FromStr for ColumnMapping {
    type Err = String;

    /// Parses `role=column,...`, or a preset name (`coortweet`, `cnt`).
    fn from_str(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        if let Some((_, expanded)) = PRESETS.iter().find(|(n, _)| n.eq_ignore_ascii_case(spec)) {
            return expanded.parse();
        }
        let mut columns = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (role, col) = part.split_once('=').ok_or_else(|| {
                format!("column mapping entry {part:?} is not role=column (or use a preset: coortweet, cnt)")
            })?;
            let role = Role::parse(role.trim()).ok_or_else(|| {
                let names: Vec<_> = Role::ALL.iter().map(|(_, n, _)| *n).collect();
                format!("unknown role {role:?}; roles are {}", names.join(", "))
            })?;
            let col = col.trim();
            let col = match col.strip_prefix('#') {
                Some(n) => ColumnRef::Position(
                    n.parse()
                        .ok()
                        .filter(|&n| n >= 1)
                        .ok_or_else(|| format!("bad position {col:?}"))?,
                ),
                None => ColumnRef::Name(col.to_string()),
            };
            columns.push((role, col));
        }
        let mapping = ColumnMapping { columns };
        for need in [Role::Account, Role::Time] {
            if !mapping.columns.iter().any(|(r, _)| *r == need) {
                return Err(format!("the column mapping needs a {} column", need.name()));
            }
        }
        Ok(mapping)
    }
}

impl fmt::Display for ColumnMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (role, col)) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match col {
                ColumnRef::Name(n) => write!(f, "{}={n}", role.name())?,
                ColumnRef::Position(p) => write!(f, "{}=#{p}", role.name())?,
            }
        }
        Ok(())
    }
}

impl ColumnMapping {
    /// The mapping inferred from header names (see the role synonyms in the README).
    pub fn infer(header: &[&str]) -> Option<ColumnMapping> {
        let mut columns = Vec::new();
        for (role, _, synonyms) in Role::ALL {
            // The first synonym in preference order that the header has.
            let found = synonyms.iter().find_map(|syn| {
                header
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(syn))
            });
            if let Some(i) = found
                && !columns
                    .iter()
                    .any(|(_, c)| *c == ColumnRef::Position(i + 1))
            {
                columns.push((role, ColumnRef::Position(i + 1)));
            }
        }
        let has = |r: Role| columns.iter().any(|(x, _)| *x == r);
        (has(Role::Account) && has(Role::Time)).then_some(ColumnMapping { columns })
    }

    /// Resolves the mapping against a header into role → 0-based index.
    fn resolve(&self, header: &[&str], file: &str) -> Result<Vec<(Role, usize)>, IngestError> {
        let mut out = Vec::new();
        for (role, col) in &self.columns {
            let i = match col {
                ColumnRef::Position(p) => {
                    if *p > header.len() {
                        return Err(IngestError::Columns {
                            file: file.to_string(),
                            message: format!(
                                "the mapping puts {} in column {p}, but the header has {} columns",
                                role.name(),
                                header.len()
                            ),
                        });
                    }
                    p - 1
                }
                ColumnRef::Name(n) => header
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(n))
                    .ok_or_else(|| IngestError::Columns {
                        file: file.to_string(),
                        message: format!(
                            "no column {n:?} for {} in the header ({})",
                            role.name(),
                            header.join(",")
                        ),
                    })?,
            };
            out.push((*role, i));
        }
        Ok(out)
    }
}

/// [`str::trim`], with a shortcut for the usual field that starts and ends with a visible
/// ASCII character.
fn trim_field(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

fn split_multi(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '|')
        .filter(|s| !s.is_empty())
}

/// Rows per block read by the CSV reader: the unit parsed by one task and replayed as one
/// batch. Fixed, so that batches are the same for any thread count.
const ROWS_PER_BLOCK: usize = 16_384;

/// Bytes per block of whole rows split without the CSV reader: small enough that a block and
/// its batch (about three times its size) stay in a core's cache between parsing and
/// replaying (with blocks of 1 MiB, co-retweet on a million rows took 16 % longer end to end).
const RAW_BLOCK_BYTES: usize = 1 << 19;

/// The least bytes per block, for a small file (see [`raw_block_bytes`]).
const MIN_RAW_BLOCK_BYTES: usize = 64 << 10;

/// Bytes per block for a file of `size` bytes, when known: at least [`BLOCKS_PER_FILE`]
/// blocks where [`MIN_RAW_BLOCK_BYTES`] allows. Reading, parsing and replaying overlap only
/// from the second group of blocks to the last but one, so a file of a few groups would
/// parse its first group and replay its last with the other threads idle. Block boundaries
/// do not change what is read: batches are replayed in input order.
fn raw_block_bytes(size: Option<u64>) -> usize {
    size.map_or(RAW_BLOCK_BYTES, |s| {
        (s / BLOCKS_PER_FILE as u64).clamp(MIN_RAW_BLOCK_BYTES as u64, RAW_BLOCK_BYTES as u64)
            as usize
    })
}

/// See [`raw_block_bytes`].
const BLOCKS_PER_FILE: usize = 64;

/// Rows read from the stream, not yet parsed: whole rows as bytes (`raw`), or records the CSV
/// reader split. Blocks are recycled, and so are their buffers and records.
#[derive(Default)]
struct RowBlock {
    /// Whole rows, split into rows and fields on the parsing threads (see
    /// [`for_each_raw_row`]); empty when the CSV reader split the rows.
    raw: Vec<u8>,
    /// The line the first row of `raw` is reported at.
    raw_first: u64,
    /// One more than the number of line feeds before `raw`.
    raw_line0: u64,
    records: Vec<csv::ByteRecord>,
    /// Rows in reading order, after those of `raw`: a record (an index into `records`) or a
    /// row the CSV reader refused.
    entries: Vec<Entry>,
}

impl RowBlock {
    fn clear(&mut self) {
        self.raw.clear();
        self.entries.clear();
    }

    fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.entries.is_empty()
    }
}

enum Entry {
    Row {
        record: usize,
        line: u64,
    },
    Refused {
        line: u64,
        reason: SkipReason,
        detail: String,
    },
}

/// What [`parse_block`] needs to know of the table.
struct Table<'a> {
    file: &'a str,
    delimiter: u8,
    roles: Vec<(Role, usize)>,
    columns: (Option<usize>, Option<usize>, Option<usize>, Option<usize>),
    needed: usize,
    /// Per column below `needed`: whether a role reads it.
    used: Vec<bool>,
    /// The optional parts of posts to keep.
    parts: Parts,
}

/// Reads up to [`ROWS_PER_BLOCK`] rows into `block` with the CSV reader; true when the stream
/// has ended.
fn fill_block<R: Read>(rdr: &mut csv::Reader<R>, block: &mut RowBlock, line: &mut u64) -> bool {
    block.clear();
    let mut used = 0;
    while block.entries.len() < ROWS_PER_BLOCK {
        if used == block.records.len() {
            block.records.push(csv::ByteRecord::new());
        }
        match rdr.read_byte_record(&mut block.records[used]) {
            Ok(false) => return true,
            Ok(true) => {
                *line = block.records[used]
                    .position()
                    .map_or(*line + 1, |p| p.line());
                block.entries.push(Entry::Row {
                    record: used,
                    line: *line,
                });
                used += 1;
            }
            Err(e) => {
                let at = e.position().map_or(*line + 1, |p| p.line());
                let reason = if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    SkipReason::InvalidUtf8
                } else {
                    SkipReason::BadCsvRow
                };
                block.entries.push(Entry::Refused {
                    line: at,
                    reason,
                    detail: e.to_string(),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return true;
                }
            }
        }
    }
    false
}

/// Where a field of the CSV reader's grammar stands after some bytes of a row: the default
/// grammar of `csv_core` (quotes doubled inside quoted fields, no escape, no comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldState {
    /// At the start of a field: a quote here opens a quoted field.
    Start,
    /// In a field that did not start with a quote (a quote here is a plain byte), or after
    /// the closing quote of one (the bytes up to the next delimiter are kept as they are).
    Plain,
    /// Inside quotes.
    Quoted,
    /// After a quote inside quotes: a second quote makes one quote of the field, any other
    /// byte closes the quotes.
    QuoteInQuoted,
}

impl FieldState {
    /// The state after `b`, which is not a terminator outside quotes, and whether `b` is part
    /// of the field's content.
    fn step(self, b: u8, delimiter: u8) -> (FieldState, bool) {
        use FieldState::*;
        match self {
            Quoted if b == b'"' => (QuoteInQuoted, false),
            Quoted => (Quoted, true),
            QuoteInQuoted if b == b'"' => (Quoted, true),
            Start if b == b'"' => (Quoted, false),
            _ if b == delimiter => (Start, false),
            _ => (Plain, true),
        }
    }

    fn in_quotes(self) -> bool {
        self == FieldState::Quoted
    }
}

/// The end of the row that starts at `buf[0]`: the first terminator outside quotes, or `None`
/// when `buf` ends before one.
fn row_end(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut state = FieldState::Start;
    for (i, &b) in buf.iter().enumerate() {
        if is_terminator(b) && !state.in_quotes() {
            return Some(i);
        }
        state = state.step(b, delimiter).0;
    }
    None
}

/// Writes the fields of `row` (one row without its terminator, whose fields have quotes to
/// remove or `""` to unescape) into `out`, and their ranges in `out` into `fields`, as the CSV
/// reader decodes them.
fn decode_row(
    row: &[u8],
    delimiter: u8,
    out: &mut Vec<u8>,
    fields: &mut Vec<std::ops::Range<usize>>,
) {
    out.clear();
    fields.clear();
    let (mut state, mut from) = (FieldState::Start, 0);
    for &b in row {
        let (next, keep) = state.step(b, delimiter);
        if keep {
            out.push(b);
        } else if next == FieldState::Start {
            fields.push(from..out.len());
            from = out.len();
        }
        state = next;
    }
    fields.push(from..out.len());
}

/// The quoted fields of a block being read, found on the reading thread so that blocks end at
/// a row's end outside quotes. A quote opens a quoted field at the start of the block or after
/// a delimiter or terminator outside quotes (elsewhere it is a plain byte); the next quote
/// that is not doubled closes it. Only quotes are looked at, so most bytes are passed over.
#[derive(Default)]
struct QuoteScan {
    /// The next byte to look at.
    pos: usize,
    /// Whether `pos` is inside a quoted field.
    inside: bool,
    /// Where the bytes outside quotes after the last closing quote begin.
    outside: usize,
    /// The earlier runs of bytes outside quotes, in order.
    runs: Vec<std::ops::Range<usize>>,
}

impl QuoteScan {
    /// Looks at the bytes of `buf` after those of the last call; `ended` when no byte will
    /// follow `buf`.
    fn scan(&mut self, buf: &[u8], delimiter: u8, ended: bool) {
        while let Some(q) = memchr::memchr(b'"', &buf[self.pos..]).map(|i| self.pos + i) {
            if self.inside {
                match buf.get(q + 1) {
                    // Whether the quote is doubled is not known yet.
                    None if !ended => {
                        self.pos = q;
                        return;
                    }
                    Some(b'"') => self.pos = q + 2,
                    _ => (self.inside, self.outside, self.pos) = (false, q + 1, q + 1),
                }
            } else {
                if q == 0 || is_terminator(buf[q - 1]) || buf[q - 1] == delimiter {
                    self.runs.push(self.outside..q);
                    self.inside = true;
                }
                self.pos = q + 1;
            }
        }
        self.pos = buf.len();
    }

    /// The last terminator outside quotes in `buf[range]`, within the bytes scanned.
    fn last_terminator(&self, buf: &[u8], range: std::ops::Range<usize>) -> Option<usize> {
        let current = (!self.inside).then_some(self.outside..self.pos);
        current
            .into_iter()
            .chain(self.runs.iter().rev().cloned())
            .take_while(|run| run.end > range.start)
            .find_map(|run| {
                let run = run.start.max(range.start)..run.end.min(range.end);
                let found = buf
                    .get(run.clone())
                    .and_then(|b| memchr::memrchr2(b'\n', b'\r', b));
                found.map(|i| run.start + i)
            })
    }
}

/// Reads blocks of whole rows of about [`RAW_BLOCK_BYTES`], cut after a terminator outside
/// quotes. They are split into rows and fields exactly as the CSV reader splits them (see
/// [`for_each_raw_row`]), on all threads.
struct RawReader<R> {
    reader: R,
    delimiter: u8,
    /// [`RAW_BLOCK_BYTES`] (smaller in tests).
    block_bytes: usize,
    /// Bytes read after the last block's end.
    carry: Vec<u8>,
    /// The runs outside quotes of the last block read (kept for their memory).
    runs: Vec<std::ops::Range<usize>>,
    /// One more than the number of line feeds before `carry`.
    line0: u64,
    /// Where the next row is reported: the CSV reader reports a row at the line after the
    /// previous row's end, not counting the empty lines it skips before the row.
    next_first: u64,
    ended: bool,
    error: Option<std::io::Error>,
}

/// The raw reader and the header, or the raw reader and the bytes it read, for the CSV reader
/// to start over from.
type Started<R> = Result<(RawReader<R>, csv::ByteRecord), (RawReader<R>, Vec<u8>)>;

impl<R: Read> RawReader<R> {
    /// Reads until `buf` holds at least `want` bytes or the stream ends.
    fn read_to(&mut self, buf: &mut Vec<u8>, want: usize) {
        while buf.len() < want && !self.ended {
            let len = buf.len();
            buf.resize(want, 0);
            match self.reader.read(&mut buf[len..]) {
                Ok(0) => {
                    buf.truncate(len);
                    self.ended = true;
                }
                Ok(n) => buf.truncate(len + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(len),
                Err(e) => {
                    buf.truncate(len);
                    self.ended = true;
                    self.error = Some(e);
                }
            }
        }
    }

    /// Reads the first row, the header, when it ends with `\n` or `\r\n`; otherwise gives back
    /// the reader and the bytes read, for the CSV reader to start over.
    fn start(reader: R, delimiter: u8, block_bytes: usize) -> Started<R> {
        let mut raw = RawReader {
            reader,
            delimiter,
            block_bytes,
            carry: Vec::new(),
            runs: Vec::new(),
            line0: 1,
            next_first: 1,
            ended: false,
            error: None,
        };
        let mut buf = Vec::new();
        // Tests read in tiny blocks, to cut blocks often.
        let mut want = block_bytes.min(64 << 10);
        // The header's terminator `t` (`\n`, or `\r` before `\n`) and the end of its line.
        let head = loop {
            raw.read_to(&mut buf, want);
            let first = buf.iter().position(|&b| !is_terminator(b));
            let t = first.and_then(|f| row_end(&buf[f..], delimiter).map(|i| f + i));
            match t {
                Some(t) if buf[t] == b'\n' => break Some((t, t + 1)),
                // A lone `\r` ends lines that are not cut at line feeds: left to the reader.
                Some(t) if t + 1 < buf.len() => break (buf[t + 1] == b'\n').then_some((t, t + 2)),
                _ if raw.ended => break None,
                _ => want *= 2,
            }
        };
        let Some((t, end)) = head.filter(|_| raw.error.is_none()) else {
            return Err((raw, buf));
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .from_reader(&buf[..end]);
        let header = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(_) => return Err((raw, buf)),
        };
        raw.next_first = 1 + memchr::memchr_iter(b'\n', &buf[..=t]).count() as u64;
        raw.line0 = 1 + memchr::memchr_iter(b'\n', &buf[..end]).count() as u64;
        raw.carry = buf.split_off(end);
        Ok((raw, header))
    }

    /// Reads the next block of whole rows into `block.raw`. Returns whether the stream has
    /// ended, and the line the block's last row is reported at.
    fn fill(&mut self, block: &mut RowBlock) -> (bool, Option<u64>) {
        block.clear();
        let buf = &mut block.raw;
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut scan = QuoteScan {
            runs: std::mem::take(&mut self.runs),
            ..QuoteScan::default()
        };
        scan.runs.clear();
        let mut want = self.block_bytes;
        // The bytes outside quotes before `searched` hold no terminator.
        let mut searched = 0;
        // Cut after the last terminator outside quotes; a row longer than a block makes the
        // block longer.
        let cut = loop {
            self.read_to(buf, want);
            scan.scan(buf, self.delimiter, self.ended);
            if self.ended {
                break buf.len();
            }
            if let Some(t) = scan.last_terminator(buf, searched..buf.len()) {
                break t + 1;
            }
            searched = buf.len();
            want = buf.len() + self.block_bytes;
        };
        self.carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if self.error.is_some() {
            // The row cut short by the error is lost, as the CSV reader loses it.
            let whole = scan.last_terminator(buf, 0..buf.len()).map_or(0, |t| t + 1);
            buf.truncate(whole);
        }
        block.raw_first = self.next_first;
        block.raw_line0 = self.line0;
        let feeds = memchr::memchr_iter(b'\n', buf).count() as u64;
        // Line feeds from `i` on.
        let feeds_from = |i: usize| memchr::memchr_iter(b'\n', &buf[i..]).count() as u64;
        let mut last_line = None;
        // The last row ends at the terminator after its last byte (terminators after a row's
        // last byte are outside quotes, unless the stream ended inside quotes).
        if let Some(last) = buf.iter().rposition(|&b| !is_terminator(b)) {
            let start = scan.last_terminator(buf, 0..last).map_or(0, |t| t + 1);
            last_line = Some(
                match buf[..start].iter().rposition(|&b| !is_terminator(b)) {
                    None => self.next_first,
                    // The previous row ends at the terminator after its last byte.
                    Some(end) => self.line0 + feeds - feeds_from(end + 2),
                },
            );
            if last + 1 < buf.len() {
                self.next_first = self.line0 + feeds - feeds_from(last + 2);
            }
        }
        self.line0 += feeds;
        self.runs = scan.runs;
        (self.ended, last_line)
    }
}

/// Bytes read already, then the error that ended the stream (if one did), then the rest of
/// the stream: what the CSV reader reads when it takes over.
struct Resume<R> {
    bytes: std::io::Cursor<Vec<u8>>,
    error: Option<std::io::Error>,
    ended: bool,
    reader: R,
}

impl<R: Read> Read for Resume<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.ended {
            return Ok(0);
        }
        self.reader.read(buf)
    }
}

/// Where rows come from: whole rows split on the parsing threads, or the CSV reader from the
/// start when the header is not a plain row (see [`RawReader::start`]).
enum Source<R: Read> {
    Raw(RawReader<R>),
    Reader(Box<csv::Reader<Resume<R>>>),
}

impl<R: Read> Source<R> {
    /// The CSV reader over `bytes` (read from the start of the stream) and the rest of `raw`.
    fn reader(raw: RawReader<R>, bytes: Vec<u8>, delimiter: u8) -> Self {
        let resume = Resume {
            bytes: std::io::Cursor::new(bytes),
            ended: raw.ended,
            error: raw.error,
            reader: raw.reader,
        };
        let rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .from_reader(resume);
        Source::Reader(Box::new(rdr))
    }

    /// Fills `block`; true when the stream has ended. `line` is the line of the last row read.
    fn fill(&mut self, block: &mut RowBlock, line: &mut u64) -> bool {
        match self {
            Source::Raw(raw) => {
                let (ended, last) = raw.fill(block);
                if let Some(last) = last {
                    *line = last;
                }
                if let Some(e) = raw.error.take().filter(|_| ended) {
                    block.entries.push(Entry::Refused {
                        line: *line + 1,
                        reason: SkipReason::BadCsvRow,
                        detail: e.to_string(),
                    });
                }
                ended
            }
            Source::Reader(rdr) => fill_block(rdr, block, line),
        }
    }
}

fn is_terminator(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The positions of the bytes of `data` equal to any of `N` non-zero bytes, in order, found
/// 64 bytes at a time. Fields are short (ids, numbers), so a match comes every few bytes, and
/// a chunk-at-a-time scan pays less per match than a search that starts over after each.
struct Specials<'a, const N: usize> {
    data: &'a [u8],
    /// The offset of the next chunk to scan.
    next: usize,
    /// The offset of the chunk `mask` belongs to.
    base: usize,
    /// Bit `k` set when byte `base + k` is a match not yet returned.
    mask: u64,
    sought: [u8; N],
}

impl<'a, const N: usize> Specials<'a, N> {
    fn new(data: &'a [u8], sought: [u8; N]) -> Self {
        // A chunk's last bytes are padded with zeros.
        debug_assert!(!sought.contains(&0), "zero is never sought");
        Specials {
            data,
            next: 0,
            base: 0,
            mask: 0,
            sought,
        }
    }
}

/// Bit `k` set when byte `k` of `chunk` is one of `sought`: sixteen bytes per comparison with
/// SSE2, which every x86-64 processor has.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chunk_matches<const N: usize>(chunk: &[u8; 64], sought: &[u8; N]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    let mut mask = 0u64;
    for (q, quarter) in chunk.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline; `quarter` holds 16 readable bytes, and
        // the load has no alignment need.
        let hits = unsafe {
            let v = _mm_loadu_si128(quarter.as_ptr().cast::<__m128i>());
            sought.iter().fold(_mm_setzero_si128(), |hits, &b| {
                _mm_or_si128(hits, _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)))
            })
        };
        // SAFETY: as above.
        let bits = unsafe { _mm_movemask_epi8(hits) };
        mask |= u64::from(bits as u16) << (16 * q);
    }
    mask
}

/// Bit `k` set when byte `k` of `chunk` is one of `sought`.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn chunk_matches<const N: usize>(chunk: &[u8; 64], sought: &[u8; N]) -> u64 {
    chunk.iter().enumerate().fold(0, |mask, (k, b)| {
        mask | (u64::from(sought.contains(b)) << k)
    })
}

impl<const N: usize> Iterator for Specials<'_, N> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let rest = self.data.get(self.next..).filter(|r| !r.is_empty())?;
            self.mask = match rest.first_chunk::<64>() {
                Some(chunk) => chunk_matches(chunk, &self.sought),
                None => {
                    // The last bytes, padded with zeros, which are never sought.
                    let mut chunk = [0u8; 64];
                    chunk[..rest.len()].copy_from_slice(rest);
                    chunk_matches(&chunk, &self.sought)
                }
            };
            self.base = self.next;
            self.next += 64;
        }
        let k = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + k)
    }
}

/// A row of a raw block, as [`for_each_raw_row`] hands it out.
enum RawRow<'a> {
    /// The row's bytes in the block; its fields are ranges within them.
    InBlock(std::ops::Range<usize>),
    /// The row's fields decoded (quotes removed, `""` made one quote) one after the other; its
    /// fields are ranges within these bytes.
    Decoded(&'a [u8]),
}

/// Calls `row(row, fields, line)` for each row of a raw block (see [`RawRow`]), with the line
/// it is reported at. One pass finds the delimiters, terminators and quotes of the whole
/// block; fields in quotes are the bytes between the quotes unless they hold `""` or bytes
/// after the closing quote, whose rows are decoded into `decoded`.
///
/// Rows are split as the CSV reader splits them: rows are the non-empty runs between
/// terminators (`\n`, `\r`, or both) outside quotes, and a row is reported at one more than
/// the number of line feeds (in quotes too) up to the terminator of the previous row (a
/// `\r\n` row ends at its `\r`): at `first` for the block's first row, `line0` being one more
/// than the line feeds before the block. The block starts at a row's start; it may end inside
/// quotes (at the end of the stream), which then run to its end.
fn for_each_raw_row(
    data: &[u8],
    first: u64,
    line0: u64,
    delimiter: u8,
    fields: &mut Vec<std::ops::Range<usize>>,
    decoded: &mut Vec<u8>,
    row: impl FnMut(RawRow<'_>, &[std::ops::Range<usize>], u64),
) {
    let at = (first, line0, delimiter);
    if memchr::memchr(b'"', data).is_some() {
        let specials = Specials::new(data, [delimiter, b'\n', b'\r', b'"']);
        split_rows(data, specials, at, fields, decoded, row);
    } else {
        let specials = Specials::new(data, [delimiter, b'\n', b'\r']);
        split_rows(data, specials, at, fields, decoded, row);
    }
}

/// [`for_each_raw_row`] with the positions of the block's delimiters, terminators and quotes
/// (if it has any), in order.
fn split_rows(
    data: &[u8],
    mut specials: impl Iterator<Item = usize>,
    (first, line0, delimiter): (u64, u64, u8),
    fields: &mut Vec<std::ops::Range<usize>>,
    decoded: &mut Vec<u8>,
    mut row: impl FnMut(RawRow<'_>, &[std::ops::Range<usize>], u64),
) {
    let (mut start, mut field) = (0, 0);
    let mut feeds = 0u64;
    let mut next = first;
    // The field being read is in quotes, closed just before its end.
    let mut quoted = false;
    // The row has a field to decode: with `""`, with bytes after its closing quote, or with
    // no closing quote.
    let mut decode = false;
    fields.clear();
    while let Some(i) = specials.next() {
        let b = data[i];
        if b == b'"' {
            // Elsewhere than at a field's start, a quote is a plain byte.
            if i == field {
                quoted = true;
                loop {
                    let Some(j) = specials.next() else {
                        decode = true;
                        break;
                    };
                    match data[j] {
                        b'\n' => feeds += 1,
                        b'"' if data.get(j + 1) == Some(&b'"') => {
                            specials.next();
                            decode = true;
                        }
                        b'"' => {
                            let after = data.get(j + 1).copied();
                            decode |= after.is_some_and(|a| a != delimiter && !is_terminator(a));
                            break;
                        }
                        _ => {}
                    }
                }
            }
            continue;
        }
        let content = if quoted { field + 1..i - 1 } else { field..i };
        quoted = false;
        if b == delimiter {
            fields.push(content.start - start..content.end - start);
            field = i + 1;
            continue;
        }
        if b == b'\n' {
            feeds += 1;
        }
        // An empty run holds no delimiter either: it is no row.
        if i > start {
            fields.push(content.start - start..content.end - start);
            emit(
                data,
                start..i,
                delimiter,
                decode,
                fields,
                decoded,
                next,
                &mut row,
            );
            next = line0 + feeds;
            fields.clear();
            decode = false;
        }
        (start, field) = (i + 1, i + 1);
    }
    if start < data.len() {
        let end = data.len();
        let content = if quoted && !decode {
            field + 1..end - 1
        } else {
            field..end
        };
        fields.push(content.start - start..content.end - start);
        emit(
            data,
            start..end,
            delimiter,
            decode,
            fields,
            decoded,
            next,
            &mut row,
        );
    }
}

/// Hands out the row `data[range]` with its `fields`, decoded first if `decode`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn emit(
    data: &[u8],
    range: std::ops::Range<usize>,
    delimiter: u8,
    decode: bool,
    fields: &mut Vec<std::ops::Range<usize>>,
    decoded: &mut Vec<u8>,
    line: u64,
    row: &mut impl FnMut(RawRow<'_>, &[std::ops::Range<usize>], u64),
) {
    if decode {
        decode_row(&data[range], delimiter, decoded, fields);
        row(RawRow::Decoded(decoded), fields, line);
    } else {
        row(RawRow::InBlock(range), fields, line);
    }
}

/// Turns a block of rows into batch operations (lines are absolute: header = line 1), into
/// `batch`, which is cleared first.
fn parse_block(block: &RowBlock, table: &Table<'_>, batch: &mut Batch) {
    batch.clear();
    batch.parts = table.parts;
    let mut scratch = String::new();
    let mut fields = Vec::new();
    let mut spans = Vec::new();
    let mut decoded = Vec::new();
    // One UTF-8 check of the whole block; rows end at ASCII bytes, so they are valid too.
    let text = simdutf8::basic::from_utf8(&block.raw).ok();
    for_each_raw_row(
        &block.raw,
        block.raw_first,
        block.raw_line0,
        table.delimiter,
        &mut spans,
        &mut decoded,
        |row, spans, line| {
            batch.records += 1;
            let done = match row {
                RawRow::InBlock(range) => {
                    let row_text = text.and_then(|t| t.get(range.clone()));
                    let row = &block.raw[range];
                    let (scratch, fields) = (&mut scratch, &mut fields);
                    row_to_ops(batch, row, row_text, spans, table, line, scratch, fields)
                }
                RawRow::Decoded(row) => {
                    let fields = &mut Vec::new();
                    row_to_ops(batch, row, None, spans, table, line, &mut scratch, fields)
                }
            };
            if let Err((reason, detail)) = done {
                batch.skip(line, reason, detail);
            }
        },
    );
    for entry in &block.entries {
        batch.records += 1;
        match entry {
            Entry::Refused {
                line,
                reason,
                detail,
            } => batch.skip(*line, *reason, detail.clone()),
            Entry::Row { record, line } => {
                let record = &block.records[*record];
                spans.clear();
                spans.extend((0..record.len()).filter_map(|i| record.range(i)));
                if let Err((reason, detail)) = row_to_ops(
                    batch,
                    record.as_slice(),
                    None,
                    &spans,
                    table,
                    *line,
                    &mut scratch,
                    &mut fields,
                ) {
                    batch.skip(*line, reason, detail);
                }
            }
        }
    }
    // Every post came with its keys (`Batch::push_keyed_post`).
}

/// Reads a CSV stream and calls `sink` with each batch, in order (lines are absolute: header =
/// line 1), and `after_group` on the calling thread after each group of batches. Blocks of
/// rows are parsed on all threads while the previous group is replayed by `sink`.
pub(crate) fn read_csv(
    reader: impl Read + Send,
    file: &str,
    size: Option<u64>,
    mapping: Option<&ColumnMapping>,
    parts: Parts,
    mut sink: impl FnMut(&Batch) -> Result<(), IngestError> + Send,
    mut after_group: impl FnMut(),
) -> Result<(), IngestError> {
    // `x.tsv`, also compressed (`x.tsv.gz`), is split at tabs.
    let delimiter = if super::source::without_compression_suffix(file).ends_with(".tsv") {
        b'\t'
    } else {
        b','
    };
    let (mut source, header_rec) = match RawReader::start(reader, delimiter, raw_block_bytes(size))
    {
        Ok((raw, header)) => (Source::Raw(raw), header),
        Err((raw, bytes)) => {
            let mut source = Source::reader(raw, bytes, delimiter);
            let header = match &mut source {
                Source::Reader(rdr) => rdr.byte_headers().cloned(),
                Source::Raw(_) => Ok(csv::ByteRecord::new()),
            };
            match header {
                Ok(h) => (source, h),
                Err(e) => {
                    return Err(IngestError::Columns {
                        file: file.into(),
                        message: format!("no CSV header: {e}"),
                    });
                }
            }
        }
    };
    let header: Vec<String> = header_rec
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let inferred;
    let mapping = match mapping {
        Some(m) => m,
        None => {
            inferred = ColumnMapping::infer(&header_refs).ok_or_else(|| IngestError::Columns {
                file: file.into(),
                message: format!(
                    "cannot tell which columns hold the account and the time from the header ({}); \
                     give --columns role=column,... or a preset (coortweet, cnt)",
                    header.join(",")
                ),
            })?;
            &inferred
        }
    };
    let roles = mapping.resolve(&header_refs, file)?;
    let col = |r: Role| roles.iter().find(|(x, _)| *x == r).map(|(_, i)| *i);
    let (c_post, c_account, c_handle, c_time) = (
        col(Role::Post),
        col(Role::Account),
        col(Role::Handle),
        col(Role::Time),
    );
    let needed = roles.iter().map(|(_, i)| i + 1).max().unwrap_or(0);
    let mut used = vec![false; needed];
    for &(_, i) in &roles {
        used[i] = true;
    }
    let table = Table {
        file,
        delimiter,
        columns: (c_post, c_account, c_handle, c_time),
        needed,
        used,
        roles,
        parts,
    };

    let group = rayon::current_num_threads() * 2;
    let mut line = 1u64;
    let mut done = false;
    let mut spare: Vec<RowBlock> = Vec::new();
    let mut spare_batches: Vec<Batch> = Vec::new();
    let mut pending: Vec<Batch> = Vec::new();
    let mut filled = fill_group(&mut source, &mut spare, group, &mut done, &mut line);
    // Three stages overlap: the rows of the next group are read while the current group is
    // parsed and the previous one replayed. Blocks and batches are recycled.
    while !filled.is_empty() || !pending.is_empty() {
        let to_replay = std::mem::take(&mut pending);
        let mut batches: Vec<Batch> = (0..filled.len())
            .map(|_| spare_batches.pop().unwrap_or_default())
            .collect();
        let mut next_spare = std::mem::take(&mut spare);
        let (replayed, next) = rayon::join(
            || -> Result<Vec<Batch>, IngestError> {
                for b in &to_replay {
                    sink(b)?;
                }
                Ok(to_replay)
            },
            || {
                rayon::join(
                    || {
                        (!done).then(|| {
                            fill_group(&mut source, &mut next_spare, group, &mut done, &mut line)
                        })
                    },
                    || {
                        filled
                            .par_iter()
                            .zip(batches.par_iter_mut())
                            .for_each(|(block, batch)| parse_block(block, &table, batch));
                    },
                )
                .0
            },
        );
        spare_batches.extend(replayed?);
        after_group();
        spare = next_spare;
        spare.append(&mut filled);
        filled = next.unwrap_or_default();
        pending = batches;
    }
    Ok(())
}

/// Reads up to `group` blocks of rows, reusing blocks from `spare`.
fn fill_group<R: Read>(
    source: &mut Source<R>,
    spare: &mut Vec<RowBlock>,
    group: usize,
    done: &mut bool,
    line: &mut u64,
) -> Vec<RowBlock> {
    let mut blocks = Vec::with_capacity(group);
    while !*done && blocks.len() < group {
        let mut block = spare.pop().unwrap_or_default();
        *done = source.fill(&mut block, line);
        if block.is_empty() {
            spare.push(block);
        } else {
            blocks.push(block);
        }
    }
    blocks
}

/// One row's operations. Each field the mapping uses is checked for UTF-8 and trimmed once,
/// into `fields`; errors name the first bad field in the order the row is read.
#[allow(clippy::too_many_arguments)]
fn row_to_ops<'r>(
    batch: &mut Batch,
    bytes: &'r [u8],
    text: Option<&'r str>,
    spans: &[std::ops::Range<usize>],
    table: &Table<'_>,
    line: u64,
    scratch: &mut String,
    fields: &mut Vec<Option<&'r str>>,
) -> Result<(), (SkipReason, String)> {
    let roles = &table.roles;
    let (c_post, c_account, c_handle, c_time) = table.columns;
    let needed = table.needed;
    if spans.len() < needed {
        return Err((
            SkipReason::BadCsvRow,
            format!("row has {} fields, the mapping needs {needed}", spans.len()),
        ));
    }
    fields.clear();
    match text.map_or_else(|| std::str::from_utf8(bytes), Ok) {
        // One check of the whole row; a field that starts or ends inside a character is not
        // valid on its own, and `get` refuses it.
        Ok(all) => fields.extend(
            spans[..needed]
                .iter()
                .zip(&table.used)
                .map(|(r, &used)| used.then(|| all.get(r.clone()).map(trim_field)).flatten()),
        ),
        Err(_) => fields.extend(spans[..needed].iter().zip(&table.used).map(|(r, &used)| {
            used.then(|| std::str::from_utf8(&bytes[r.clone()]).ok().map(trim_field))
                .flatten()
        })),
    }
    let field = |i: usize| -> Result<&'r str, (SkipReason, String)> {
        fields[i].ok_or_else(|| {
            (
                SkipReason::InvalidUtf8,
                format!("field {} is not valid UTF-8", i + 1),
            )
        })
    };
    let get = |c: Option<usize>| -> Result<&'r str, (SkipReason, String)> {
        match c {
            Some(i) => field(i),
            None => Ok(""),
        }
    };
    let account = get(c_account)?;
    if account.is_empty() {
        return Err((SkipReason::MissingAuthor, "empty account column".into()));
    }
    let time = get(c_time)?;
    if time.is_empty() {
        return Err((SkipReason::MissingTime, "empty time column".into()));
    }
    let time_ms = parse_any_time(time)
        .ok_or_else(|| (SkipReason::BadTime, format!("unparseable time {time:?}")))?;
    if !in_range(time_ms) {
        return Err((
            SkipReason::TimeOutOfRange,
            format!("time {time:?} is out of range"),
        ));
    }
    let post_id = match c_post {
        Some(i) => {
            let p = field(i)?;
            if p.is_empty() {
                return Err((SkipReason::MissingId, "empty post id column".into()));
            }
            std::borrow::Cow::Borrowed(p)
        }
        // Without a post column every row is its own post.
        None => std::borrow::Cow::Owned(format!("{}:{line}", table.file)),
    };
    let mut kind = PostKind::Original;
    let (mut shared, mut reply_to) = (None, None);
    let mut text = "";
    let (mut client, mut lang) = (Str::default(), Str::default());
    for &(role, i) in roles {
        let v = field(i)?;
        match role {
            Role::RetweetOf if !v.is_empty() => {
                shared = Some(RefStr {
                    id: batch.str(v),
                    author: AccountStr::default(),
                });
                kind = PostKind::Retweet;
            }
            Role::QuoteOf if !v.is_empty() && kind != PostKind::Retweet => {
                shared = Some(RefStr {
                    id: batch.str(v),
                    author: AccountStr::default(),
                });
                kind = PostKind::Quote;
            }
            Role::ReplyTo if !v.is_empty() => {
                reply_to = Some(RefStr {
                    id: batch.str(v),
                    author: AccountStr::default(),
                });
            }
            Role::Text => text = v,
            Role::Client => client = batch.str(v),
            Role::Lang => lang = batch.str(v),
            _ => {}
        }
    }
    if kind == PostKind::Original && reply_to.is_some() {
        kind = PostKind::Reply;
    }
    let (text, fingerprint) = if kind == PostKind::Retweet || !batch.parts.text {
        (Str::default(), TextFingerprint::NONE)
    } else {
        (batch.str(text), TextFingerprint::of_text(text, scratch))
    };
    let author = AccountStr {
        id: batch.str(account),
        handle: batch.str(get(c_handle)?),
    };
    let id = batch.str(&post_id);
    batch.push_keyed_post(PostRec {
        id,
        author,
        time_ms,
        kind,
        origin: Origin::Record,
        shared,
        reply_to,
        fingerprint,
        text,
        client,
        lang,
        merge_rows: true,
    });
    for &(role, i) in roles {
        let v = field(i)?;
        if v.is_empty() {
            continue;
        }
        match role {
            Role::Object if batch.parts.objects => {
                let s = batch.str(v);
                batch.ops.push(Op::Object(s));
            }
            Role::Domain => batch.push_domain(v),
            Role::Urls if batch.parts.urls => {
                for u in v.split_whitespace() {
                    batch.push_url(u);
                }
            }
            Role::Hashtags if batch.parts.hashtags => {
                for h in split_multi(v) {
                    batch.push_hashtag(h);
                }
            }
            Role::Mentions => {
                for m in split_multi(v) {
                    let handle = batch.str(m.trim_start_matches('@'));
                    batch.ops.push(Op::Mention(AccountStr {
                        id: Str::default(),
                        handle,
                    }));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_specs_parse() {
        let m: ColumnMapping = "coortweet".parse().unwrap();
        assert_eq!(m.to_string(), PRESETS[0].1);
        let m: ColumnMapping = "account=#2, time=ts".parse().unwrap();
        assert_eq!(m.columns[0], (Role::Account, ColumnRef::Position(2)));
        assert!(
            "account=a"
                .parse::<ColumnMapping>()
                .unwrap_err()
                .contains("time")
        );
        assert!(
            "acount=a,time=b"
                .parse::<ColumnMapping>()
                .unwrap_err()
                .contains("unknown role")
        );
    }

    /// A row with several bad fields is reported by the first one read: account, time, post,
    /// then the mapping's order.
    #[test]
    fn bad_utf8_names_the_first_field_read() {
        let mut data =
            b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_vec();
        data.extend_from_slice(b"1,u1,a,,,ok,1493767621,\n");
        data.extend_from_slice(b"2,u1,a,,,bad \xff,1493767\xfe,\n");
        data.extend_from_slice(b"3,u1,a,,,bad \xff,1493767621,\n");
        let opts = crate::ingest::IngestOptions {
            columns: Some("cnt".parse().unwrap()),
            ..Default::default()
        };
        let ingest = crate::ingest::read_collection(
            &[crate::ingest::Input::bytes("t.csv", data)],
            &opts,
            &(),
        )
        .unwrap();
        let details: Vec<_> = ingest
            .report
            .examples
            .iter()
            .map(|s| (s.line, s.detail.as_str()))
            .collect();
        assert_eq!(
            details,
            [
                (3, "field 7 is not valid UTF-8"),
                (4, "field 6 is not valid UTF-8")
            ]
        );
        assert_eq!(ingest.collection.records().count(), 1);
    }

    /// A reader that hands out at most `step` bytes a call and fails at byte `fail_at`.
    struct Trickle<'a> {
        data: &'a [u8],
        pos: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let end = self.fail_at.unwrap_or(self.data.len()).min(self.data.len());
            if self.pos == end && self.fail_at.is_some() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "cut",
                ));
            }
            let n = buf.len().min(self.step).min(end - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    type Rows = (Vec<Vec<u8>>, Vec<(Vec<Vec<u8>>, u64)>, Vec<(u64, String)>);

    /// Header, rows with their lines, and refused rows as the CSV reader alone reads them.
    fn rows_by_reader(input: Trickle<'_>) -> Rows {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let header = match rdr.byte_headers() {
            Ok(h) => h.iter().map(<[u8]>::to_vec).collect(),
            Err(_) => return (Vec::new(), Vec::new(), Vec::new()),
        };
        let (mut rows, mut refused) = (Vec::new(), Vec::new());
        let mut rec = csv::ByteRecord::new();
        let mut line = 1;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    line = rec.position().map_or(line + 1, |p| p.line());
                    rows.push((rec.iter().map(<[u8]>::to_vec).collect(), line));
                }
                Err(e) => {
                    refused.push((line + 1, e.to_string()));
                    break;
                }
            }
        }
        (header, rows, refused)
    }

    /// How the rows of [`rows_by_source`] were split.
    #[derive(Default)]
    struct Splits {
        /// Rows split on the parsing threads.
        raw: usize,
        /// Of those, rows with a quoted field not decoded.
        quoted: usize,
        /// Of those, rows decoded.
        decoded: usize,
    }

    /// The same through the sources `read_csv` uses, with blocks of `block_bytes`.
    fn rows_by_source(input: Trickle<'_>, block_bytes: usize, splits: &mut Splits) -> Rows {
        let (mut source, header) = match RawReader::start(input, b',', block_bytes) {
            Ok((raw, header)) => (Source::Raw(raw), header),
            Err((raw, bytes)) => {
                let mut source = Source::reader(raw, bytes, b',');
                let Source::Reader(rdr) = &mut source else {
                    unreachable!()
                };
                match rdr.byte_headers() {
                    Ok(h) => {
                        let h = h.clone();
                        (source, h)
                    }
                    Err(_) => return (Vec::new(), Vec::new(), Vec::new()),
                }
            }
        };
        let header = header.iter().map(<[u8]>::to_vec).collect();
        let (mut rows, mut refused) = (Vec::new(), Vec::new());
        let (mut line, mut done) = (1, false);
        let (mut spans, mut decoded) = (Vec::new(), Vec::new());
        while !done {
            let mut block = RowBlock::default();
            done = source.fill(&mut block, &mut line);
            let data = &block.raw;
            for_each_raw_row(
                data,
                block.raw_first,
                block.raw_line0,
                b',',
                &mut spans,
                &mut decoded,
                |r, f, at| {
                    splits.raw += 1;
                    let row = match r {
                        RawRow::InBlock(r) => {
                            splits.quoted += usize::from(data[r.clone()].contains(&b'"'));
                            &data[r]
                        }
                        RawRow::Decoded(row) => {
                            splits.decoded += 1;
                            row
                        }
                    };
                    rows.push((f.iter().map(|f| row[f.clone()].to_vec()).collect(), at));
                },
            );
            for entry in &block.entries {
                match entry {
                    Entry::Row { record, line } => {
                        let rec = &block.records[*record];
                        rows.push((rec.iter().map(<[u8]>::to_vec).collect(), *line));
                    }
                    Entry::Refused { line, detail, .. } => refused.push((*line, detail.clone())),
                }
            }
        }
        (header, rows, refused)
    }

    /// Rows split on the parsing threads give the rows, fields and line numbers the CSV reader
    /// gives, across block ends, empty lines, a last line without line feed, quoted fields
    /// (with delimiters, terminators and `""` inside, empty, unclosed at the end, with bytes
    /// after the closing quote), quotes inside unquoted fields, `\r\n` and lone `\r`
    /// terminators, and a stream that fails part way.
    #[test]
    fn raw_blocks_split_rows_as_the_csv_reader_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut splits = Splits::default();
        let mut by_reader = 0;
        let pieces: [&[u8]; 18] = [
            b"a",
            b"bc",
            b",",
            b"\n",
            b"\n\n",
            b" ",
            b"\xc3\xa9",
            b"\r\n",
            b"\r",
            b"\"x,y\"",
            b"\"\"",
            b"\"a\"\"b\"",
            b"\"l1\nl2\r\nl3\"",
            b"\"\xc3\"",
            b"\"q",
            b"\"",
            b"\",\n\"",
            b"\"\"\"",
        ];
        for case in 0..6000 {
            let len = rng.random_range(0..120);
            // Cases with regular quoting alone, and cases with any quotes.
            let kinds = if case % 2 == 0 { 14 } else { pieces.len() };
            let mut data = Vec::new();
            for _ in 0..len {
                let piece = pieces[rng.random_range(0..kinds)];
                // Quoted pieces mostly at a field's start.
                if piece[0] == b'"' && case % 2 == 0 && !data.is_empty() {
                    data.push(if rng.random_bool(0.5) { b',' } else { b'\n' });
                }
                data.extend_from_slice(piece);
                if piece[0] == b'"' && case % 2 == 0 {
                    data.push(if rng.random_bool(0.5) { b',' } else { b'\n' });
                }
            }
            let step = rng.random_range(1..40);
            let fail_at = (case % 4 == 0).then(|| rng.random_range(0..=data.len()));
            let block = rng.random_range(1..30);
            let input = || Trickle {
                data: &data,
                pos: 0,
                step,
                fail_at,
            };
            let expected = rows_by_reader(input());
            by_reader += expected.1.len();
            assert_eq!(
                rows_by_source(input(), block, &mut splits),
                expected,
                "case {case}: {:?} failing at {fail_at:?}, blocks of {block}",
                String::from_utf8_lossy(&data)
            );
        }
        // All ways of splitting were taken often.
        let Splits {
            raw,
            quoted,
            decoded,
        } = splits;
        assert!(
            raw > by_reader / 2 && raw < by_reader,
            "{raw} of {by_reader}"
        );
        assert!(
            quoted > raw / 10 && decoded > raw / 10,
            "{quoted} and {decoded} of {raw}"
        );
    }

    /// Exact rows and lines of a hand-made table with quoted fields, as the CSV reader gives
    /// them, whatever the block size. A row is reported at one more than the line feeds up to
    /// the end of the previous row, which ends at the `\r` of `\r\n`: the header's line feed
    /// counts for the second row.
    #[test]
    fn quoted_fields_split_exactly() {
        let table: &[u8] = b"id,\"text\"\r\n\
            1,\"a, b\"\r\n\
            2,\"say \"\"hi\"\"\",x\n\
            \n\
            3,\"two\nlines\",\"\"\n\
            4,a\"b,\"ab\"c\"d\n\
            \"5\",\"\r\n\"\n\
            6,\"open,\nto the end";
        let f = |s: &[&str]| s.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        let expected: Rows = (
            f(&["id", "text"]),
            vec![
                (f(&["1", "a, b"]), 1),
                (f(&["2", "say \"hi\"", "x"]), 2),
                (f(&["3", "two\nlines", ""]), 4),
                (f(&["4", "a\"b", "abc\"d"]), 7),
                (f(&["5", "\r\n"]), 8),
                (f(&["6", "open,\nto the end"]), 10),
            ],
            Vec::new(),
        );
        let input = || Trickle {
            data: table,
            pos: 0,
            step: 7,
            fail_at: None,
        };
        assert_eq!(rows_by_reader(input()), expected);
        for block in [1, 2, 5, 16, 1 << 20] {
            let mut splits = Splits::default();
            assert_eq!(
                rows_by_source(input(), block, &mut splits),
                expected,
                "blocks of {block}"
            );
            assert_eq!((splits.raw, splits.quoted, splits.decoded), (6, 3, 3));
        }
    }

    /// The word-at-a-time scan finds what a byte-by-byte one finds, at every alignment and
    /// length, with bytes that differ from the sought ones in one bit.
    #[test]
    fn specials_find_every_sought_byte() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let alphabet = [
            b',',
            b'\n',
            b'\r',
            b'\t',
            b'a',
            0,
            0x80,
            0xAC,
            b',' ^ 0x80,
            b'\n' | 0x10,
        ];
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            for sought in [[b',', b'\n', b'\r'], [b'\t', b'\n', b'\r']] {
                let want: Vec<usize> = (0..len).filter(|&i| sought.contains(&data[i])).collect();
                for skip in 0..3.min(len + 1) {
                    let got: Vec<usize> = Specials::new(&data[skip..], sought).collect();
                    let want: Vec<usize> = want
                        .iter()
                        .filter(|&&i| i >= skip)
                        .map(|i| i - skip)
                        .collect();
                    assert_eq!(got, want, "{data:?} from {skip}");
                }
            }
        }
    }

    #[test]
    fn small_files_are_read_in_smaller_blocks() {
        assert_eq!(raw_block_bytes(None), RAW_BLOCK_BYTES);
        assert_eq!(raw_block_bytes(Some(1000)), MIN_RAW_BLOCK_BYTES);
        assert_eq!(raw_block_bytes(Some(6_400_000)), 100_000);
        assert_eq!(raw_block_bytes(Some(68 << 20)), RAW_BLOCK_BYTES);
    }

    #[test]
    fn header_inference_prefers_specific_names() {
        let h = [
            "account_id",
            "post_id",
            "url_id",
            "hashtag_id",
            "domain_id",
            "phash_id",
            "timestamp",
        ];
        let m = ColumnMapping::infer(&h).unwrap();
        let role_of = |pos| {
            m.columns
                .iter()
                .find(|(_, c)| *c == ColumnRef::Position(pos))
                .map(|(r, _)| *r)
        };
        assert_eq!(role_of(1), Some(Role::Account));
        assert_eq!(role_of(2), Some(Role::Post));
        assert_eq!(role_of(3), Some(Role::Urls));
        assert_eq!(role_of(6), Some(Role::Object));
        assert_eq!(role_of(7), Some(Role::Time));
        assert!(ColumnMapping::infer(&["a", "b"]).is_none());
    }
}
