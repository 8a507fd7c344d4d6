/*!
Ingestion: tweet collections in, one [`Collection`] out, with every bad record accounted for.

[`read_collection`] reads any number of inputs (files, directories, standard input; plain, gzip
or zstd) in Twitter API v1.1 JSON lines, API v2 JSON (twarc2 pages and flattened lines,
academictwitteR arrays) or CSV. JSON lines are cut into chunks that are parsed on all threads and
replayed in input order into one [`CollectionBuilder`], so the result is the same for any thread
count. A record that cannot be used is skipped and counted by [`SkipReason`], with the first
examples kept as file:line; with [`IngestOptions::strict`] the first one is an error instead.
*/

mod batch;
mod csv;
mod error;
mod json;
mod source;
pub mod time;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::model::{BuildCounts, Collection, CollectionBuilder};
use crate::progress::Progress;

pub use self::csv::{ColumnMapping, ColumnRef, PRESETS, Role};
pub use error::{IngestError, Skip, SkipReason};
pub use source::{Compression, DATA_EXTENSIONS, Input};

use batch::Batch;
use json::JsonFlavor;

/// The input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Told by content: `[` or `{` starts JSON (shape told per line), anything else is CSV.
    #[default]
    Auto,
    /// Twitter API v1.1 JSON lines.
    TwitterV1,
    /// Twitter API v2 JSON (twarc2 pages or flattened lines, academictwitteR arrays).
    TwitterV2,
    /// CSV with a header.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Format::Auto),
            "twitter-v1" => Ok(Format::TwitterV1),
            "twitter-v2" => Ok(Format::TwitterV2),
            "csv" => Ok(Format::Csv),
            _ => Err(format!(
                "unknown format {s:?}: use auto, twitter-v1, twitter-v2 or csv"
            )),
        }
    }
}

/// The optional parts of posts a reader keeps. An analysis that never looks at a part (a
/// co-retweet graph reads no text, no URLs) is spared the work of normalising and storing it.
/// Ids, authors, times, kinds, the posts shared or replied to, mentions (which name accounts),
/// clients, languages and profiles are always read, so that posts and accounts, their indices
/// included, are the same whatever parts are left out; so are the records skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Texts and their fingerprints.
    pub text: bool,
    /// URLs (with their domains).
    pub urls: bool,
    /// Hashtags.
    pub hashtags: bool,
    /// Domains given on their own (CSV `domain` columns).
    pub domains: bool,
    /// Generic objects (CSV `object` columns).
    pub objects: bool,
}

impl Parts {
    /// Every part.
    pub const ALL: Parts = Parts {
        text: true,
        urls: true,
        hashtags: true,
        domains: true,
        objects: true,
    };

    /// No optional part.
    pub const NONE: Parts = Parts {
        text: false,
        urls: false,
        hashtags: false,
        domains: false,
        objects: false,
    };

    /// The parts kept by either.
    pub fn union(self, other: Parts) -> Parts {
        Parts {
            text: self.text || other.text,
            urls: self.urls || other.urls,
            hashtags: self.hashtags || other.hashtags,
            domains: self.domains || other.domains,
            objects: self.objects || other.objects,
        }
    }
}

impl Default for Parts {
    fn default() -> Self {
        Parts::ALL
    }
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The input format.
    pub format: Format,
    /// The CSV column mapping; `None` infers it from the header.
    pub columns: Option<ColumnMapping>,
    /// Make the first bad record an error.
    pub strict: bool,
    /// How many skipped records to keep as examples.
    pub max_examples: usize,
    /// Size of the chunks JSON lines are cut into for parallel parsing.
    pub chunk_bytes: usize,
    /// The optional parts of posts to keep (all by default).
    pub parts: Parts,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: Format::Auto,
            columns: None,
            strict: false,
            max_examples: 10,
            chunk_bytes: 4 << 20,
            parts: Parts::ALL,
        }
    }
}

/// What was read from one input file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub name: String,
    /// The format it was read as.
    pub format: &'static str,
    /// Its compression.
    pub compression: &'static str,
    /// Records found (including skipped ones).
    pub records: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
}

/// What happened while reading.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestReport {
    /// Per file, in reading order.
    pub files: Vec<FileReport>,
    /// Skipped records by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first skipped records.
    pub examples: Vec<Skip>,
    /// Records whose id was already a record.
    pub duplicates: u64,
    /// CSV rows that added objects to a post of an earlier row.
    pub merged_rows: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Wall time.
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl IngestReport {
    /// Total skipped records.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// A read collection and the report of how it was read.
#[derive(Debug)]
pub struct Ingest {
    /// The collection.
    pub collection: Collection,
    /// The report.
    pub report: IngestReport,
}

/// Tracks skips and turns them into an error under `--strict`.
struct SkipLog<'a> {
    opts: &'a IngestOptions,
    report: &'a mut IngestReport,
    file: String,
    file_skipped: u64,
}

impl SkipLog<'_> {
    fn record(&mut self, line: u64, reason: SkipReason, detail: &str) -> Result<(), IngestError> {
        let skip = Skip {
            file: self.file.clone(),
            line,
            reason,
            detail: detail.to_string(),
        };
        if self.opts.strict {
            return Err(IngestError::Strict(skip));
        }
        *self.report.skipped.entry(reason).or_default() += 1;
        self.file_skipped += 1;
        if self.report.examples.len() < self.opts.max_examples {
            self.report.examples.push(skip);
        }
        Ok(())
    }
}

/// Feeds batches of one file into the builder, in order.
struct FileSink<'a, 'b> {
    builder: &'a mut CollectionBuilder,
    log: SkipLog<'b>,
    lines: u64,
    records: u64,
}

impl FileSink<'_, '_> {
    fn replay(&mut self, batch: &Batch) -> Result<(), IngestError> {
        let first = self.lines + 1;
        let log = &mut self.log;
        batch.replay(self.builder, first, |line, reason, detail| {
            log.record(line, reason, detail)
        })?;
        self.lines += batch.lines;
        self.records += batch.records;
        Ok(())
    }
}

/// Reads `inputs` into one collection. See the module docs.
pub fn read_collection(
    inputs: &[Input],
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<Ingest, IngestError> {
    let start = Instant::now();
    let inputs = source::expand_inputs(inputs)?;
    let mut report = IngestReport::default();
    let mut builder = CollectionBuilder::new();
    let total: Option<u64> = inputs
        .iter()
        .map(|i| match i {
            Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Bytes { data, .. } => Some(data.len() as u64),
            Input::Stdin => None,
        })
        .sum();
    progress.begin("reading", total);
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    for input in &inputs {
        if is_consumed_expansion(input, &names) {
            continue;
        }
        read_one(input, opts, &mut builder, &mut report, progress)?;
    }
    progress.finish();
    let (
        collection,
        BuildCounts {
            duplicates,
            merged_rows,
        },
    ) = builder.finish();
    report.duplicates = duplicates;
    report.merged_rows = merged_rows;
    report.elapsed = start.elapsed();
    Ok(Ingest { collection, report })
}

/// academictwitteR writes `data_<id>.json` with its expansions in `users_<id>.json`. The users
/// file is read together with its data file; alone, it is read as a document of its own.
fn companion_users_file(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_prefix("data_")?.strip_suffix(".json")?;
    let users = path.with_file_name(format!("users_{id}.json"));
    users.is_file().then_some(users)
}

fn is_consumed_expansion(input: &Input, names: &[String]) -> bool {
    let Input::Path(p) = input else { return false };
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(id) = name
        .strip_prefix("users_")
        .and_then(|n| n.strip_suffix(".json"))
    else {
        return false;
    };
    let data = p
        .with_file_name(format!("data_{id}.json"))
        .display()
        .to_string();
    names.contains(&data)
}

fn read_one(
    input: &Input,
    opts: &IngestOptions,
    builder: &mut CollectionBuilder,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<(), IngestError> {
    let mut opened = source::open(input)?;
    let head = opened
        .reader
        .fill_buf()
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let first = head
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let mut plain_size = None;
    if let (Input::Path(p), Compression::Plain) = (input, &opened.compression)
        && let Ok(meta) = std::fs::metadata(p)
    {
        let sampled = sampled_lines(p, meta.len());
        builder.reserve_posts(expected_records(&head, sampled, meta.len()));
        plain_size = Some(meta.len());
    }
    let is_csv = match opts.format {
        Format::Csv => true,
        Format::TwitterV1 | Format::TwitterV2 => false,
        Format::Auto => {
            let lower = opened.name.to_ascii_lowercase();
            let plain = source::without_compression_suffix(&lower);
            let named_csv = plain.ends_with(".csv") || plain.ends_with(".tsv");
            named_csv || !matches!(first, Some(b'{' | b'[') | None)
        }
    };
    let flavor = match opts.format {
        Format::TwitterV1 => JsonFlavor::V1,
        Format::TwitterV2 => JsonFlavor::V2,
        _ => JsonFlavor::Auto,
    };
    let first_line_alone = head
        .split(|&b| b == b'\n')
        .next()
        .is_some_and(|l| l.trim_ascii() == b"{");
    let as_document = !is_csv && (first == Some(b'[') || first_line_alone);
    let format_name = if is_csv {
        "csv"
    } else if as_document {
        "json"
    } else {
        "json-lines"
    };
    let mut sink = FileSink {
        builder,
        log: SkipLog {
            opts,
            report,
            file: opened.name.clone(),
            file_skipped: 0,
        },
        lines: 0,
        records: 0,
    };
    let last_raw = std::sync::atomic::AtomicU64::new(0);
    let advance = |raw: u64| {
        let last = last_raw.swap(raw, std::sync::atomic::Ordering::Relaxed);
        progress.advance(raw.saturating_sub(last));
    };
    let bytes = if is_csv {
        let parsed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut counter = source::Counting {
            inner: &mut opened.reader,
            count: parsed.clone(),
        };
        let raw = opened.raw_read.clone();
        csv::read_csv(
            &mut counter,
            &opened.name,
            plain_size,
            opts.columns.as_ref(),
            opts.parts,
            |b| sink.replay(b),
            || advance(raw.load(std::sync::atomic::Ordering::Relaxed)),
        )?;
        parsed.load(std::sync::atomic::Ordering::Relaxed)
    } else if as_document {
        let mut doc = Vec::new();
        let err = std::io::Read::read_to_end(&mut opened.reader, &mut doc).err();
        let expansions = opened
            .path
            .as_deref()
            .and_then(companion_users_file)
            .and_then(|p| std::fs::read(p).ok());
        let batch = json::parse_json_document(&doc, expansions.as_deref(), flavor, opts.parts);
        sink.replay(&batch)?;
        if let Some(e) = err {
            sink.log
                .record(0, stream_error_reason(&e), &e.to_string())?;
        }
        advance(opened.raw_read.load(std::sync::atomic::Ordering::Relaxed));
        doc.len() as u64
    } else {
        stream_json_lines(&mut opened, opts, flavor, &mut sink, &advance)?
    };
    let file_report = FileReport {
        name: opened.name.clone(),
        format: format_name,
        compression: opened.compression.name(),
        records: sink.records,
        skipped: sink.log.file_skipped,
        bytes,
    };
    report.bytes += bytes;
    report.files.push(file_report);
    Ok(())
}

/// The lines and bytes of [`SAMPLE_WINDOWS`] windows of [`SAMPLE_BYTES`] spread evenly over a
/// plain file, for [`expected_records`]; `None` for a small file, or when reading fails (the
/// estimate is a hint).
fn sampled_lines(path: &Path, size: u64) -> Option<(usize, usize)> {
    use std::io::{Read, Seek, SeekFrom};
    if size < 4 * (SAMPLE_WINDOWS * SAMPLE_BYTES) as u64 {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let mut window = vec![0u8; SAMPLE_BYTES];
    let mut lines = 0;
    for k in 1..=SAMPLE_WINDOWS as u64 {
        file.seek(SeekFrom::Start(size / (SAMPLE_WINDOWS as u64 + 1) * k))
            .ok()?;
        file.read_exact(&mut window).ok()?;
        lines += memchr::memchr_iter(b'\n', &window).count();
    }
    Some((lines, SAMPLE_WINDOWS * SAMPLE_BYTES))
}

/// Windows sampled by [`sampled_lines`].
const SAMPLE_WINDOWS: usize = 16;
/// Bytes per sampled window.
const SAMPLE_BYTES: usize = 64 << 10;

/// About how many records a plain file of `size` bytes holds (CSV rows and JSON lines alike),
/// from the lines and bytes of windows `sampled` across it, or of its first bytes `head` when
/// it is too small to sample (a table's first rows are often longer or shorter than the rest: a
/// file sorted by kind puts its originals first); 0 when they tell nothing.
fn expected_records(head: &[u8], sampled: Option<(usize, usize)>, size: u64) -> usize {
    let (lines, bytes) =
        sampled.unwrap_or_else(|| (memchr::memchr_iter(b'\n', head).count(), head.len()));
    if lines < 8 {
        return 0;
    }
    (size as f64 * lines as f64 / bytes as f64).min(1e9) as usize
}

fn stream_error_reason(e: &std::io::Error) -> SkipReason {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput => SkipReason::TruncatedStream,
        _ => SkipReason::ReadError,
    }
}

/// A chunk of whole lines (`data[..len]`), and the error that ended the stream after it.
struct Chunk {
    data: Vec<u8>,
    len: usize,
    end_error: Option<std::io::Error>,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Batches parsed out of order, waiting for their turn to be replayed.
struct Reorder {
    /// The number of the next chunk to replay.
    next: u64,
    /// Parsed chunks after `next`, with the error that ended the stream after them.
    ready: BTreeMap<u64, (Batch, Option<std::io::Error>)>,
    /// Whether a thread is replaying now.
    replaying: bool,
    /// The first replay error; nothing more is replayed after it.
    failed: Option<IngestError>,
}

/// Reads JSON lines on a reader thread while chunks are parsed on all threads and replayed in
/// order. There is no barrier between groups of chunks: whichever thread finishes the chunk
/// that is next in order replays it, and any later ones already parsed, while the other
/// threads go on parsing. A thread more than `ahead` chunks in front of the replay waits, which
/// bounds the memory held. Chunk buffers and batches are recycled, so a long file costs no
/// allocations after the first chunks. Returns decompressed bytes read.
fn stream_json_lines(
    opened: &mut source::Opened,
    opts: &IngestOptions,
    flavor: JsonFlavor,
    sink: &mut FileSink<'_, '_>,
    advance: &(dyn Fn(u64) + Sync),
) -> Result<u64, IngestError> {
    let chunk_bytes = opts.chunk_bytes.max(1 << 10);
    let ahead = rayon::current_num_threads() as u64 * 2;
    let reader = &mut opened.reader;
    let raw = opened.raw_read.clone();
    let spare_batches = std::sync::Mutex::new(Vec::<Batch>::new());
    let state = std::sync::Mutex::new(Reorder {
        next: 0,
        ready: BTreeMap::new(),
        replaying: false,
        failed: None,
    });
    let turn = std::sync::Condvar::new();
    let sink = std::sync::Mutex::new(sink);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Chunk>(ahead as usize);
        let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<u8>>();
        let producer = scope.spawn(move || {
            let mut carry: Vec<u8> = Vec::new();
            let mut total = 0u64;
            loop {
                let mut buf = recycle_rx.try_recv().unwrap_or_default();
                if buf.len() < carry.len() {
                    buf.resize(carry.len(), 0);
                }
                buf[..carry.len()].copy_from_slice(&carry);
                let mut len = carry.len();
                carry.clear();
                let want = chunk_bytes.max(len + 1);
                let (mut eof, mut err) = source::fill(reader.as_mut(), &mut buf, &mut len, want);
                let mut scanned = 0;
                while !eof {
                    if let Some(i) = memchr::memrchr(b'\n', &buf[scanned..len]) {
                        let cut = scanned + i + 1;
                        carry.extend_from_slice(&buf[cut..len]);
                        len = cut;
                        break;
                    }
                    // A line longer than a chunk: keep reading until it ends.
                    scanned = len;
                    let want = len + chunk_bytes;
                    (eof, err) = source::fill(reader.as_mut(), &mut buf, &mut len, want);
                }
                total += len as u64;
                let last = eof;
                if tx
                    .send(Chunk {
                        data: buf,
                        len,
                        end_error: err,
                    })
                    .is_err()
                    || last
                {
                    break;
                }
            }
            total
        });
        let recycle_tx = std::sync::Mutex::new(recycle_tx);
        // Replays chunk batches in order for as long as the next one is ready; one thread at a
        // time. Returns false once a replay has failed.
        let replay_ready = || -> bool {
            let mut st = lock(&state);
            loop {
                if st.failed.is_some() {
                    return false;
                }
                if st.replaying {
                    return true;
                }
                let next = st.next;
                let Some((mut batch, err)) = st.ready.remove(&next) else {
                    return true;
                };
                st.replaying = true;
                drop(st);
                let mut sink = lock(&sink);
                let mut result = sink.replay(&batch);
                if let (Ok(()), Some(e)) = (&result, err) {
                    let line = sink.lines + 1;
                    result = sink
                        .log
                        .record(line, stream_error_reason(&e), &e.to_string());
                }
                drop(sink);
                advance(raw.load(std::sync::atomic::Ordering::Relaxed));
                batch.clear();
                lock(&spare_batches).push(batch);
                st = lock(&state);
                st.replaying = false;
                st.next += 1;
                if let Err(e) = result {
                    st.failed = Some(e);
                }
                turn.notify_all();
            }
        };
        let _ = rx
            .into_iter()
            .zip(0u64..)
            .par_bridge()
            .try_for_each(|(c, k)| -> Result<(), ()> {
                {
                    let mut st = lock(&state);
                    while k >= st.next + ahead && st.failed.is_none() {
                        st = turn.wait(st).unwrap_or_else(|e| e.into_inner());
                    }
                    if st.failed.is_some() {
                        return Err(());
                    }
                }
                let spare = lock(&spare_batches).pop();
                let mut batch = spare.unwrap_or_default();
                batch.parts = opts.parts;
                json::parse_json_lines(&c.data[..c.len], flavor, &mut batch);
                let _ = lock(&recycle_tx).send(c.data);
                lock(&state).ready.insert(k, (batch, c.end_error));
                if replay_ready() { Ok(()) } else { Err(()) }
            });
        let total = producer.join().unwrap_or(0);
        let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
        match st.failed {
            Some(e) => Err(e),
            None => Ok(total),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, data: &[u8], opts: &IngestOptions) -> Result<Ingest, IngestError> {
        read_collection(&[Input::bytes(name, data.to_vec())], opts, &())
    }

    /// A table whose first rows are four times as long as the rest: the head alone would
    /// undercount the rows by half, the sampled windows count them within a few percent.
    #[test]
    fn the_expected_records_come_from_windows_across_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut data = Vec::new();
        for i in 0..40_000 {
            data.extend_from_slice(format!("{i:09},{}\n", "x".repeat(110)).as_bytes());
        }
        let head = data[..1 << 20].to_vec();
        for i in 0..300_000 {
            data.extend_from_slice(format!("{i:09},{}\n", "y".repeat(20)).as_bytes());
        }
        std::fs::write(&path, &data).unwrap();
        let size = data.len() as u64;
        let from_head = expected_records(&head, None, size);
        let sampled = expected_records(&head, sampled_lines(&path, size), size);
        assert!(from_head < 250_000, "{from_head}");
        assert!((320_000..=370_000).contains(&sampled), "{sampled}");
        // A small file is not sampled; its head tells.
        assert!(sampled_lines(&path, 1 << 20).is_none());
        assert_eq!(expected_records(b"a\n", None, 1000), 0);
    }

    /// A `.tsv` table is split at tabs, compressed or not.
    #[test]
    fn tsv_files_split_at_tabs_also_compressed() {
        let table =
            b"post_id\taccount_id\ttimestamp\ttext\n1\ta\t1494000000\tx, y\n2\tb\t1494000060\tz\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, table).unwrap();
        let gz = gz.finish().unwrap();
        for (name, data) in [("t.tsv", table.to_vec()), ("t.tsv.gz", gz)] {
            let c = read(name, &data, &IngestOptions::default())
                .unwrap()
                .collection;
            assert_eq!(c.posts.len(), 2, "{name}");
            assert_eq!(c.accounts.len(), 2, "{name}");
            assert_eq!(c.posts.text(0), "x, y", "{name}");
            assert_eq!(c.posts.time_ms[1], 1_494_000_060_000, "{name}");
        }
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let mut data = Vec::new();
        for i in 0..200 {
            data.extend_from_slice(
                format!(
                    r#"{{"id_str":"{i}","created_at":"Fri Aug 16 02:15:02 +0000 2013","text":"t {i} #a","user":{{"id_str":"{}"}},"entities":{{"hashtags":[{{"text":"A"}}]}}}}"#,
                    i % 7
                )
                .as_bytes(),
            );
            data.push(b'\n');
            if i == 50 {
                data.extend_from_slice(b"{not json\n");
            }
        }
        let small = IngestOptions {
            chunk_bytes: 1024,
            ..Default::default()
        };
        let a = read("a.jsonl", &data, &small).unwrap();
        let b = read("a.jsonl", &data, &IngestOptions::default()).unwrap();
        assert_eq!(a.collection.records().count(), 200);
        assert_eq!(b.collection.records().count(), 200);
        assert_eq!(a.report.examples, b.report.examples);
        assert_eq!(a.report.examples[0].line, 52);
        assert_eq!(a.report.examples[0].reason, SkipReason::InvalidJson);
    }

    /// Many small chunks parsed out of order on several threads replay as on one thread, and
    /// the strict error is the first bad line whatever the thread count.
    #[test]
    fn thread_count_does_not_change_the_result_or_the_strict_error() {
        let mut data = Vec::new();
        for i in 0..3000 {
            data.extend_from_slice(
                format!(
                    r#"{{"id_str":"{i}","created_at":"Fri Aug 16 02:15:02 +0000 2013","text":"t {} #a{}","user":{{"id_str":"{}","screen_name":"u{}"}},"entities":{{"hashtags":[{{"text":"A{}"}}]}}}}"#,
                    i % 13,
                    i % 5,
                    i % 97,
                    i % 97,
                    i % 5
                )
                .as_bytes(),
            );
            data.push(b'\n');
            if i % 700 == 699 {
                data.extend_from_slice(b"{not json\n");
            }
        }
        let small = IngestOptions {
            chunk_bytes: 1024,
            ..Default::default()
        };
        let strict = IngestOptions {
            strict: true,
            ..small.clone()
        };
        let run = |threads: usize, opts: &IngestOptions| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| read("a.jsonl", &data, opts))
        };
        let one = run(1, &small).unwrap();
        for threads in [2, 3] {
            let many = run(threads, &small).unwrap();
            let c = (&one.collection, &many.collection);
            assert_eq!(c.0.posts.len(), c.1.posts.len());
            assert_eq!(c.0.posts.author, c.1.posts.author);
            assert_eq!(c.0.posts.entities, c.1.posts.entities);
            assert_eq!(c.0.accounts.handle, c.1.accounts.handle);
            assert_eq!(
                c.0.hashtags.iter().collect::<Vec<_>>(),
                c.1.hashtags.iter().collect::<Vec<_>>()
            );
            assert_eq!(one.report.examples, many.report.examples);
            let err = run(threads, &strict).unwrap_err().to_string();
            assert!(err.starts_with("a.jsonl:701: "), "{err}");
        }
        assert_eq!(one.collection.records().count(), 3000);
        assert_eq!(one.report.skipped_total(), 4);
        assert_eq!(one.report.examples[1].line, 1402);
    }

    /// Leaving optional parts out changes nothing but those parts: the same posts, accounts
    /// (in the same order), references and skipped records, hence the same co-retweet,
    /// co-reply and co-mention graphs; the parts left out are empty.
    #[test]
    fn left_out_parts_change_nothing_else() {
        let mut csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls,hashtags,mentions\n".to_vec();
        for i in 0..60u32 {
            let retweet = if i % 3 == 1 {
                format!("{}", i - 1)
            } else {
                String::new()
            };
            let reply = if i % 5 == 2 {
                format!("9{i}")
            } else {
                String::new()
            };
            csv.extend_from_slice(
                format!(
                    "{i},u{},n{},{retweet},{reply},Copy this text {} now,{},http://ex{}.org/a,#T{},@m{}\n",
                    i % 7,
                    i % 7,
                    i % 4,
                    1_493_600_000 + i * 7,
                    i % 3,
                    i % 2,
                    i % 11,
                )
                .as_bytes(),
            );
        }
        // A bad text is skipped whether or not texts are kept.
        csv.extend_from_slice(b"99,u1,n1,,,bad \xff,1493600000,,,\n");
        let mut jsonl = Vec::new();
        for i in 0..30u32 {
            jsonl.extend_from_slice(
                format!(
                    r#"{{"id_str":"{i}","created_at":"Fri Aug 16 02:15:{:02} +0000 2013","text":"@m{} hi #a {i}","in_reply_to_status_id_str":"{}","in_reply_to_user_id_str":"{}","user":{{"id_str":"{}","screen_name":"u{}"}},"entities":{{"hashtags":[{{"text":"A"}}],"user_mentions":[{{"screen_name":"m{}"}}],"urls":[{{"expanded_url":"http://x.org/{}"}}]}}}}"#,
                    i % 60,
                    i % 9,
                    1000 + i % 4,
                    500 + i % 6,
                    i % 5,
                    i % 5,
                    i % 9,
                    i % 3
                )
                .as_bytes(),
            );
            jsonl.push(b'\n');
        }
        for (name, data) in [("t.csv", &csv), ("t.jsonl", &jsonl)] {
            let read_with = |parts| {
                let opts = IngestOptions {
                    parts,
                    ..Default::default()
                };
                read(name, data, &opts).unwrap()
            };
            let (all, none) = (read_with(Parts::ALL), read_with(Parts::NONE));
            let (a, b) = (&all.collection, &none.collection);
            assert!(a.posts.len() > 30, "{name}");
            assert_eq!(all.report.examples, none.report.examples, "{name}");
            assert_eq!(a.posts.len(), b.posts.len(), "{name}");
            assert_eq!(a.posts.author, b.posts.author, "{name}");
            assert_eq!(a.posts.shared, b.posts.shared, "{name}");
            assert_eq!(a.posts.reply_to, b.posts.reply_to, "{name}");
            assert_eq!(a.posts.kind, b.posts.kind, "{name}");
            assert_eq!(a.posts.time_ms, b.posts.time_ms, "{name}");
            assert_eq!(a.accounts.handle, b.accounts.handle, "{name}");
            let ids = |c: &Collection| {
                (0..c.accounts.len() as u32)
                    .map(|i| c.accounts.ids.external(i).into_owned())
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(a), ids(b), "{name}");
            assert!(!a.hashtags.is_empty() && !a.urls.is_empty(), "{name}");
            assert_eq!((b.hashtags.len(), b.urls.len()), (0, 0), "{name}");
            assert!(b.posts.fingerprint.iter().all(|f| f.is_none()), "{name}");
            assert!(a.posts.fingerprint.iter().any(|f| !f.is_none()), "{name}");
            use crate::graph::{CoActionKind, CoActionOptions, build_co_action_graph};
            let mut lines = 0;
            for kind in [
                CoActionKind::CoRetweet,
                CoActionKind::CoReply,
                CoActionKind::CoMention,
            ] {
                let opts = CoActionOptions {
                    window_secs: 3600,
                    ..Default::default()
                };
                let edges = |c| {
                    let g = build_co_action_graph(c, kind, &opts).unwrap();
                    let mut out = Vec::new();
                    let columns = crate::graph::EdgeCsvColumns {
                        leads: true,
                        handles: true,
                    };
                    crate::graph::write_edges_csv(&mut out, &g, c, columns).unwrap();
                    out
                };
                let full = edges(a);
                lines += full.iter().filter(|&&b| b == b'\n').count();
                assert_eq!(full, edges(b), "{name} {kind}");
            }
            // Edges besides the three headers.
            assert!(lines > 3 + 5, "{name}: {lines}");
        }
    }

    #[test]
    fn strict_mode_names_file_and_line() {
        let data = b"\n{\"id_str\":\"1\"}\n";
        let strict = IngestOptions {
            strict: true,
            ..Default::default()
        };
        let err = read("x.jsonl", data, &strict).unwrap_err().to_string();
        assert!(err.starts_with("x.jsonl:2: "), "{err}");
    }
}
