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

fn split_multi(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '|')
        .filter(|s| !s.is_empty())
}

/// Rows per block: the unit parsed by one task and replayed as one batch. Fixed, so that
/// batches are the same for any thread count.
const ROWS_PER_BLOCK: usize = 16_384;

/// Rows read from the stream, not yet parsed. Blocks are recycled, and so are their records.
#[derive(Default)]
struct RowBlock {
    records: Vec<csv::ByteRecord>,
    /// Rows in reading order: a record (an index into `records`) or a row the CSV reader refused.
    entries: Vec<Entry>,
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
    roles: Vec<(Role, usize)>,
    columns: (Option<usize>, Option<usize>, Option<usize>, Option<usize>),
    needed: usize,
    /// Per column below `needed`: whether a role reads it.
    used: Vec<bool>,
}

/// Reads up to [`ROWS_PER_BLOCK`] rows into `block`; true when the stream has ended.
fn fill_block<R: Read>(rdr: &mut csv::Reader<R>, block: &mut RowBlock, line: &mut u64) -> bool {
    block.entries.clear();
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

/// Turns a block of rows into batch operations (lines are absolute: header = line 1), into
/// `batch`, which is cleared first.
fn parse_block(block: &RowBlock, table: &Table<'_>, batch: &mut Batch) {
    batch.clear();
    let mut scratch = String::new();
    let mut fields = Vec::new();
    for entry in &block.entries {
        batch.records += 1;
        match entry {
            Entry::Refused {
                line,
                reason,
                detail,
            } => batch.skip(*line, *reason, detail.clone()),
            Entry::Row { record, line } => {
                if let Err((reason, detail)) = row_to_ops(
                    batch,
                    &block.records[*record],
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
}

/// Reads a CSV stream and calls `sink` with each batch, in order (lines are absolute: header =
/// line 1), and `after_group` on the calling thread after each group of batches. Blocks of
/// rows are parsed on all threads while the previous group is replayed by `sink`.
pub(crate) fn read_csv(
    reader: impl Read + Send,
    file: &str,
    mapping: Option<&ColumnMapping>,
    mut sink: impl FnMut(&Batch) -> Result<(), IngestError> + Send,
    mut after_group: impl FnMut(),
) -> Result<(), IngestError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(if file.ends_with(".tsv") { b'\t' } else { b',' })
        .from_reader(reader);
    let header_rec = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(IngestError::Columns {
                file: file.into(),
                message: format!("no CSV header: {e}"),
            });
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
        columns: (c_post, c_account, c_handle, c_time),
        needed,
        used,
        roles,
    };

    let group = rayon::current_num_threads() * 2;
    let mut line = 1u64;
    let mut done = false;
    let mut spare: Vec<RowBlock> = Vec::new();
    let mut spare_batches: Vec<Batch> = Vec::new();
    let mut pending: Vec<Batch> = Vec::new();
    let mut filled = fill_group(&mut rdr, &mut spare, group, &mut done, &mut line);
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
                            fill_group(&mut rdr, &mut next_spare, group, &mut done, &mut line)
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
    rdr: &mut csv::Reader<R>,
    spare: &mut Vec<RowBlock>,
    group: usize,
    done: &mut bool,
    line: &mut u64,
) -> Vec<RowBlock> {
    let mut blocks = Vec::with_capacity(group);
    while !*done && blocks.len() < group {
        let mut block = spare.pop().unwrap_or_default();
        *done = fill_block(rdr, &mut block, line);
        if block.entries.is_empty() {
            spare.push(block);
        } else {
            blocks.push(block);
        }
    }
    blocks
}

/// One row's operations. Each field the mapping uses is checked for UTF-8 and trimmed once,
/// into `fields`; errors name the first bad field in the order the row is read.
fn row_to_ops<'r>(
    batch: &mut Batch,
    record: &'r csv::ByteRecord,
    table: &Table<'_>,
    line: u64,
    scratch: &mut String,
    fields: &mut Vec<Option<&'r str>>,
) -> Result<(), (SkipReason, String)> {
    let roles = &table.roles;
    let (c_post, c_account, c_handle, c_time) = table.columns;
    let needed = table.needed;
    if record.len() < needed {
        return Err((
            SkipReason::BadCsvRow,
            format!(
                "row has {} fields, the mapping needs {needed}",
                record.len()
            ),
        ));
    }
    fields.clear();
    match std::str::from_utf8(record.as_slice()) {
        // One check of the whole row; a field that starts or ends inside a character is not
        // valid on its own, and `get` refuses it.
        Ok(all) => fields.extend((0..needed).map(|i| {
            table.used[i]
                .then(|| record.range(i).and_then(|r| all.get(r)).map(str::trim))
                .flatten()
        })),
        Err(_) => {
            fields.extend(
                record.iter().take(needed).enumerate().map(|(i, f)| {
                    table.used[i].then(|| std::str::from_utf8(f).ok().map(str::trim))?
                }),
            )
        }
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
    let (text, fingerprint) = if kind == PostKind::Retweet {
        (Str::default(), TextFingerprint::NONE)
    } else {
        (batch.str(text), TextFingerprint::of_text(text, scratch))
    };
    let author = AccountStr {
        id: batch.str(account),
        handle: batch.str(get(c_handle)?),
    };
    let id = batch.str(&post_id);
    batch.ops.push(Op::Post(PostRec {
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
    }));
    for &(role, i) in roles {
        let v = field(i)?;
        if v.is_empty() {
            continue;
        }
        match role {
            Role::Object => {
                let s = batch.str(v);
                batch.ops.push(Op::Object(s));
            }
            Role::Domain => batch.push_domain(v),
            Role::Urls => {
                for u in v.split_whitespace() {
                    batch.push_url(u);
                }
            }
            Role::Hashtags => {
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
