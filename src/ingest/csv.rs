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
            if let Some(i) = found {
                if !columns
                    .iter()
                    .any(|(_, c)| *c == ColumnRef::Position(i + 1))
                {
                    columns.push((role, ColumnRef::Position(i + 1)));
                }
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

/// Bytes per block of whole lines split without the CSV reader (about as many rows as
/// [`ROWS_PER_BLOCK`] of a typical table). Fixed, like the rows per block.
const RAW_BLOCK_BYTES: usize = 1 << 20;

/// Rows read from the stream, not yet parsed: whole lines as bytes (`raw`), or records the CSV
/// reader split. Blocks are recycled, and so are their buffers and records.
#[derive(Default)]
struct RowBlock {
    /// Whole lines without quotes, split into rows and fields on the parsing threads; empty
    /// when the CSV reader split the rows.
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

/// Turns the lines a CSV reader reports into lines of the file, for a reader started after
/// `base` lines at a row boundary.
#[derive(Debug, Clone, Copy)]
struct LineMap {
    /// Where the reader's first row is reported, until it has been: the line after the last
    /// row's end, which is before `base + 1` when empty lines followed that row.
    first: Option<u64>,
    base: u64,
}

impl LineMap {
    const IDENTITY: LineMap = LineMap {
        first: None,
        base: 0,
    };

    fn line(&mut self, reader_line: u64) -> u64 {
        self.first.take().unwrap_or(self.base + reader_line)
    }
}

/// Reads up to [`ROWS_PER_BLOCK`] rows into `block` with the CSV reader; true when the stream
/// has ended.
fn fill_block<R: Read>(
    rdr: &mut csv::Reader<R>,
    map: &mut LineMap,
    block: &mut RowBlock,
    line: &mut u64,
) -> bool {
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
                    .map_or(*line + 1, |p| map.line(p.line()));
                block.entries.push(Entry::Row {
                    record: used,
                    line: *line,
                });
                used += 1;
            }
            Err(e) => {
                let at = e.position().map_or(*line + 1, |p| map.line(p.line()));
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

/// Reads whole lines in blocks of about [`RAW_BLOCK_BYTES`], for as long as they hold no
/// quote. Such lines split into rows at terminators and into fields at delimiters exactly as
/// the CSV reader splits them (see [`for_each_raw_row`]), and they can be split on all threads.
struct RawReader<R> {
    reader: R,
    /// [`RAW_BLOCK_BYTES`] (smaller in tests).
    block_bytes: usize,
    /// Bytes read after the last block's final line feed.
    carry: Vec<u8>,
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

/// What [`RawReader::fill`] found.
enum RawFill {
    /// A block of lines; true when the stream has ended.
    Lines(bool),
    /// Bytes the CSV reader must split (they hold a quote), from a row boundary on.
    NeedsReader(Vec<u8>),
}

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

    /// Reads the first row, the header, when the lines up to its end hold no quote and it ends
    /// with `\n` or `\r\n`; otherwise gives back the reader and the bytes read, for the CSV
    /// reader to start over.
    fn start(reader: R, delimiter: u8, block_bytes: usize) -> Started<R> {
        let mut raw = RawReader {
            reader,
            block_bytes,
            carry: Vec::new(),
            line0: 1,
            next_first: 1,
            ended: false,
            error: None,
        };
        let mut buf = Vec::new();
        let mut want = 64 << 10;
        // The header's terminator `t` (`\n`, or `\r` before `\n`) and the end of its line.
        let head = loop {
            raw.read_to(&mut buf, want);
            let first = buf.iter().position(|&b| !is_terminator(b));
            let t = first.and_then(|f| memchr::memchr2(b'\n', b'\r', &buf[f..]).map(|i| f + i));
            match t {
                Some(t) if buf[t] == b'\n' => break Some((t, t + 1)),
                // A lone `\r` ends lines that are not cut at line feeds: left to the reader.
                Some(t) if t + 1 < buf.len() => break (buf[t + 1] == b'\n').then_some((t, t + 2)),
                _ if raw.ended => break None,
                _ => want *= 2,
            }
        };
        let head = head.filter(|&(_, e)| memchr::memchr(b'"', &buf[..e]).is_none());
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

    /// Reads the next block of whole lines into `block.raw`.
    fn fill(&mut self, block: &mut RowBlock) -> RawFill {
        block.clear();
        let buf = &mut block.raw;
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut want = self.block_bytes;
        let mut scanned = 0;
        // Cut after the last terminator; a line longer than a block makes the block longer.
        let cut = loop {
            self.read_to(buf, want);
            if self.ended {
                break buf.len();
            }
            if let Some(i) = memchr::memrchr2(b'\n', b'\r', &buf[scanned..]) {
                break scanned + i + 1;
            }
            scanned = buf.len();
            want = buf.len() + self.block_bytes;
        };
        self.carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if memchr::memchr(b'"', buf).is_some() {
            let mut rest = std::mem::take(buf);
            rest.append(&mut self.carry);
            return RawFill::NeedsReader(rest);
        }
        if self.error.is_some() {
            // The row cut short by the error is lost, as the CSV reader loses it.
            let whole = memchr::memrchr2(b'\n', b'\r', buf).map_or(0, |i| i + 1);
            buf.truncate(whole);
        }
        block.raw_first = self.next_first;
        block.raw_line0 = self.line0;
        let feeds = memchr::memchr_iter(b'\n', buf).count() as u64;
        // The last row ends at the terminator after its last byte.
        if let Some(last) = buf.iter().rposition(|&b| !is_terminator(b)) {
            if last + 1 < buf.len() {
                let after = memchr::memchr_iter(b'\n', &buf[last + 2..]).count() as u64;
                self.next_first = self.line0 + feeds - after;
            }
        }
        self.line0 += feeds;
        RawFill::Lines(self.ended)
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

/// Where rows come from: whole lines split on the parsing threads while they allow it, then
/// the CSV reader from a row boundary on.
enum Source<R: Read> {
    Raw(RawReader<R>),
    Reader(Box<csv::Reader<Resume<R>>>, LineMap),
    Done,
}

impl<R: Read> Source<R> {
    fn reader(raw: RawReader<R>, bytes: Vec<u8>, delimiter: u8, has_headers: bool) -> Self {
        let map = if has_headers {
            LineMap::IDENTITY
        } else {
            LineMap {
                first: Some(raw.next_first),
                base: raw.line0 - 1,
            }
        };
        let resume = Resume {
            bytes: std::io::Cursor::new(bytes),
            ended: raw.ended,
            error: raw.error,
            reader: raw.reader,
        };
        let rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(has_headers)
            .delimiter(delimiter)
            .from_reader(resume);
        Source::Reader(Box::new(rdr), map)
    }

    /// Fills `block`; true when the stream has ended. `line` is the line of the last row read.
    fn fill(&mut self, block: &mut RowBlock, line: &mut u64, delimiter: u8) -> bool {
        if let Source::Raw(raw) = self {
            let first_before = raw.next_first;
            match raw.fill(block) {
                RawFill::Lines(ended) => {
                    if let Some(last) = last_row_line(&block.raw, first_before, block.raw_line0) {
                        *line = last;
                    }
                    if let Some(e) = raw.error.take().filter(|_| ended) {
                        block.entries.push(Entry::Refused {
                            line: *line + 1,
                            reason: SkipReason::BadCsvRow,
                            detail: e.to_string(),
                        });
                    }
                    return ended;
                }
                RawFill::NeedsReader(bytes) => {
                    if let Source::Raw(raw) = std::mem::replace(self, Source::Done) {
                        *self = Source::reader(raw, bytes, delimiter, false);
                    }
                }
            }
        }
        match self {
            Source::Reader(rdr, map) => fill_block(rdr, map, block, line),
            _ => true,
        }
    }
}

/// The line the last row of a raw block is reported at (see [`for_each_raw_row`]), found from
/// the end.
fn last_row_line(data: &[u8], first: u64, line0: u64) -> Option<u64> {
    let last = data.iter().rposition(|&b| !is_terminator(b))?;
    let start = memchr::memrchr2(b'\n', b'\r', &data[..last]).map_or(0, |i| i + 1);
    match data[..start].iter().rposition(|&b| !is_terminator(b)) {
        None => Some(first),
        // The previous row ends at the terminator after its last byte.
        Some(end) => Some(line0 + memchr::memchr_iter(b'\n', &data[..end + 2]).count() as u64),
    }
}

fn is_terminator(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The positions of the bytes of `data` equal to any of three non-zero bytes, in order, found
/// eight bytes at a time. Fields are short (ids, numbers), so a match comes every few bytes,
/// and a word-at-a-time scan pays less per match than a search that starts over after each.
struct Specials<'a> {
    data: &'a [u8],
    /// The offset of the next word to scan.
    next: usize,
    /// The offset of the word `mask` belongs to.
    base: usize,
    /// Bit 7 of byte `k` set when byte `base + k` is a match not yet returned.
    mask: u64,
    /// Each byte sought, repeated in every byte of a word.
    sought: [u64; 3],
}

impl<'a> Specials<'a> {
    fn new(data: &'a [u8], bytes: [u8; 3]) -> Self {
        Specials {
            data,
            next: 0,
            base: 0,
            mask: 0,
            sought: bytes.map(|b| u64::from(b) * 0x0101_0101_0101_0101),
        }
    }
}

/// Bit 7 of each byte of `word` set where the byte is zero, and every other bit clear (exact:
/// no carry crosses a byte).
fn zero_bytes(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((word & LOW7) + LOW7) | word | LOW7)
}

impl Iterator for Specials<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let rest = self.data.get(self.next..).filter(|r| !r.is_empty())?;
            let (word, valid) = match rest.first_chunk::<8>() {
                Some(w) => (u64::from_le_bytes(*w), u64::MAX),
                None => {
                    // The last bytes, padded with zeros that are masked out.
                    let mut w = [0u8; 8];
                    w[..rest.len()].copy_from_slice(rest);
                    (u64::from_le_bytes(w), (1u64 << (8 * rest.len())) - 1)
                }
            };
            let [a, b, c] = self.sought;
            self.mask =
                (zero_bytes(word ^ a) | zero_bytes(word ^ b) | zero_bytes(word ^ c)) & valid;
            self.base = self.next;
            self.next += 8;
        }
        let k = self.mask.trailing_zeros() as usize / 8;
        self.mask &= self.mask - 1;
        Some(self.base + k)
    }
}

/// Calls `row(range, fields, line)` for each row of a raw block: its bytes `data[range]`, its
/// fields as ranges within the row, and the line it is reported at. One pass finds the
/// delimiters and terminators of the whole block.
///
/// Rows are split as the CSV reader splits them: rows are the non-empty runs between
/// terminators (`\n`, `\r`, or both), and a row is reported at one more than the number of
/// line feeds up to the terminator of the previous row (a `\r\n` row ends at its `\r`): at
/// `first` for the block's first row, `line0` being one more than the line feeds before the
/// block.
fn for_each_raw_row(
    data: &[u8],
    first: u64,
    line0: u64,
    delimiter: u8,
    fields: &mut Vec<std::ops::Range<usize>>,
    mut row: impl FnMut(std::ops::Range<usize>, &[std::ops::Range<usize>], u64),
) {
    let (mut start, mut field) = (0, 0);
    let mut feeds = 0u64;
    let mut next = first;
    fields.clear();
    for i in Specials::new(data, [delimiter, b'\n', b'\r']) {
        if data[i] == delimiter {
            fields.push(field - start..i - start);
            field = i + 1;
            continue;
        }
        if data[i] == b'\n' {
            feeds += 1;
        }
        // An empty run holds no delimiter either: it is no row.
        if i > start {
            fields.push(field - start..i - start);
            row(start..i, fields, next);
            next = line0 + feeds;
            fields.clear();
        }
        (start, field) = (i + 1, i + 1);
    }
    if start < data.len() {
        fields.push(field - start..data.len() - start);
        row(start..data.len(), fields, next);
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
    // One UTF-8 check of the whole block; rows end at ASCII bytes, so they are valid too.
    let text = std::str::from_utf8(&block.raw).ok();
    for_each_raw_row(
        &block.raw,
        block.raw_first,
        block.raw_line0,
        table.delimiter,
        &mut spans,
        |range, spans, line| {
            batch.records += 1;
            let row_text = text.and_then(|t| t.get(range.clone()));
            let row = &block.raw[range];
            if let Err((reason, detail)) = row_to_ops(
                batch,
                row,
                row_text,
                spans,
                table,
                line,
                &mut scratch,
                &mut fields,
            ) {
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
    mapping: Option<&ColumnMapping>,
    parts: Parts,
    mut sink: impl FnMut(&Batch) -> Result<(), IngestError> + Send,
    mut after_group: impl FnMut(),
) -> Result<(), IngestError> {
    let delimiter = if file.ends_with(".tsv") { b'\t' } else { b',' };
    let (mut source, header_rec) = match RawReader::start(reader, delimiter, RAW_BLOCK_BYTES) {
        Ok((raw, header)) => (Source::Raw(raw), header),
        Err((raw, bytes)) => {
            let mut source = Source::reader(raw, bytes, delimiter, true);
            let header = match &mut source {
                Source::Reader(rdr, _) => rdr.byte_headers().cloned(),
                _ => Ok(csv::ByteRecord::new()),
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
    let mut filled = fill_group(
        &mut source,
        &mut spare,
        group,
        &mut done,
        &mut line,
        delimiter,
    );
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
                            fill_group(
                                &mut source,
                                &mut next_spare,
                                group,
                                &mut done,
                                &mut line,
                                delimiter,
                            )
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
    delimiter: u8,
) -> Vec<RowBlock> {
    let mut blocks = Vec::with_capacity(group);
    while !*done && blocks.len() < group {
        let mut block = spare.pop().unwrap_or_default();
        *done = source.fill(&mut block, line, delimiter);
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

    /// The same through the sources `read_csv` uses, with blocks of `block_bytes`.
    fn rows_by_source(input: Trickle<'_>, block_bytes: usize, split_raw: &mut usize) -> Rows {
        let (mut source, header) = match RawReader::start(input, b',', block_bytes) {
            Ok((raw, header)) => (Source::Raw(raw), header),
            Err((raw, bytes)) => {
                let mut source = Source::reader(raw, bytes, b',', true);
                let Source::Reader(rdr, _) = &mut source else {
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
        while !done {
            let mut block = RowBlock::default();
            done = source.fill(&mut block, &mut line, b',');
            let mut spans = Vec::new();
            let data = &block.raw;
            for_each_raw_row(
                data,
                block.raw_first,
                block.raw_line0,
                b',',
                &mut spans,
                |r, f, at| {
                    *split_raw += 1;
                    let row = &data[r];
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

    /// Lines split on the parsing threads give the rows, fields and line numbers the CSV reader
    /// gives, across block ends, empty lines, a last line without line feed, a switch to the
    /// reader at the first quote, `\r\n` and lone `\r` terminators, and a stream that fails part
    /// way.
    #[test]
    fn raw_blocks_split_rows_as_the_csv_reader_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (mut split_raw, mut by_reader) = (0, 0);
        let pieces: [&[u8]; 10] = [
            b"a",
            b"bc",
            b",",
            b"\n",
            b"\n\n",
            b" ",
            b"\xc3\xa9",
            b"\r\n",
            b"\r",
            b"\"",
        ];
        for case in 0..3000 {
            let len = rng.random_range(0..120);
            // Most cases are free of quotes until late, if at all.
            let clean_until = if case % 2 == 0 {
                len
            } else {
                rng.random_range(0..=len)
            };
            let mut data = Vec::new();
            for k in 0..len {
                let n = if k < clean_until { 9 } else { 10 };
                data.extend_from_slice(pieces[rng.random_range(0..n)]);
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
                rows_by_source(input(), block, &mut split_raw),
                expected,
                "case {case}: {:?} failing at {fail_at:?}, blocks of {block}",
                String::from_utf8_lossy(&data)
            );
        }
        // Both ways of splitting were taken often.
        assert!(
            split_raw > by_reader / 4 && split_raw < by_reader * 3 / 4,
            "{split_raw} of {by_reader}"
        );
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
