/*!
Where input bytes come from: files, directories (walked recursively, in sorted order), standard
input or memory; plain, gzip or zstd (told apart by their magic bytes, not their names).
*/

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::IngestError;

/// One input named on the command line or handed over by a library caller.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file or a directory.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory, with a name for messages.
    Bytes {
        /// The name shown in messages.
        name: String,
        /// The content (possibly compressed).
        data: Arc<[u8]>,
    },
}

impl Input {
    /// An input read from `path`, or from standard input when `path` is `-`.
    pub fn from_arg(path: &str) -> Input {
        if path == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(path))
        }
    }

    /// An in-memory input.
    pub fn bytes(name: &str, data: Vec<u8>) -> Input {
        Input::Bytes {
            name: name.to_string(),
            data: data.into(),
        }
    }

    /// The name shown in messages.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Extensions of the files taken from a directory (before a `.gz`, `.zst` or `.zstd`).
pub const DATA_EXTENSIONS: [&str; 5] = ["json", "jsonl", "ndjson", "csv", "tsv"];

/// `name` without a compression suffix (`.gz`, `.zst`, `.zstd`): `x.tsv.gz` names a TSV table.
pub(crate) fn without_compression_suffix(name: &str) -> &str {
    [".gz", ".zst", ".zstd"]
        .iter()
        .find_map(|c| name.strip_suffix(c))
        .unwrap_or(name)
}

fn is_data_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = without_compression_suffix(&name);
    DATA_EXTENSIONS
        .iter()
        .any(|ext| name.ends_with(&format!(".{ext}")))
}

/// Replaces directories by the data files below them (see [`DATA_EXTENSIONS`]), sorted by
/// path so runs are repeatable. Hidden files and directories (names starting with `.`) and
/// other files (READMEs, query files) are left out; files named directly are always read.
pub(crate) fn expand_inputs(inputs: &[Input]) -> Result<Vec<Input>, IngestError> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                walk(p, &mut files)?;
                files.sort();
                out.extend(files.into_iter().map(Input::Path));
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Open {
        path: dir.into(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| IngestError::Open {
            path: dir.into(),
            source,
        })?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, files)?;
        } else if is_data_file(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// The compression of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// None.
    Plain,
    /// gzip (also multi-member, as `cat a.gz b.gz` makes).
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The name used in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Plain => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Counts the bytes read through it: from the file (progress on compressed inputs) or after
/// decompression (bytes parsed).
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: decompressed bytes, plus what is known about it.
pub(crate) struct Opened {
    pub(crate) name: String,
    pub(crate) reader: Box<dyn BufRead + Send>,
    pub(crate) compression: Compression,
    /// Bytes read from disk so far.
    pub(crate) raw_read: Arc<AtomicU64>,
    pub(crate) path: Option<PathBuf>,
}

const BUF: usize = 1 << 20;

/// The buffer of a plain input. Readers ask for blocks of 64 KiB and more, which a buffer no
/// larger than that lets go straight into their blocks, instead of copying every byte twice.
const PLAIN_BUF: usize = 64 << 10;

pub(crate) fn open(input: &Input) -> Result<Opened, IngestError> {
    let name = input.name();
    let raw_read = Arc::new(AtomicU64::new(0));
    let (raw, path): (Box<dyn Read + Send>, Option<PathBuf>) = match input {
        Input::Path(p) => {
            let f = File::open(p).map_err(|source| IngestError::Open {
                path: p.clone(),
                source,
            })?;
            (Box::new(f), Some(p.clone()))
        }
        Input::Stdin => (Box::new(io::stdin()), None),
        Input::Bytes { data, .. } => (Box::new(io::Cursor::new(data.clone())), None),
    };
    let counted = Counting {
        inner: raw,
        count: raw_read.clone(),
    };
    let mut buffered = BufReader::with_capacity(BUF, counted);
    let head = buffered.fill_buf().map_err(|source| IngestError::Open {
        path: PathBuf::from(&name),
        source,
    })?;
    let compression = match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        _ => Compression::Plain,
    };
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::Plain => {
            // The bytes read to tell the compression come first, then the rest of the input.
            let head = io::Cursor::new(buffered.buffer().to_vec());
            Box::new(BufReader::with_capacity(
                PLAIN_BUF,
                head.chain(buffered.into_inner()),
            ))
        }
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUF,
            flate2::bufread::MultiGzDecoder::new(buffered),
        )),
        Compression::Zstd => {
            let dec = zstd::Decoder::with_buffer(buffered).map_err(|source| IngestError::Open {
                path: PathBuf::from(&name),
                source,
            })?;
            Box::new(BufReader::with_capacity(BUF, dec))
        }
    };
    Ok(Opened {
        name,
        reader,
        compression,
        raw_read,
        path,
    })
}

/// Reads until `buf[..*filled]` holds at least `want` bytes or the stream ends. Reads go
/// straight into `buf` (a large read bypasses the reader's own buffer), and `buf` keeps its
/// length between calls so a recycled buffer is not zeroed again. Returns whether the stream
/// ended, and the error that ended it early, if any.
pub(crate) fn fill(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    filled: &mut usize,
    want: usize,
) -> (bool, Option<io::Error>) {
    if buf.len() < want {
        buf.resize(want, 0);
    }
    while *filled < want {
        match r.read(&mut buf[*filled..want]) {
            Ok(0) => return (true, None),
            Ok(n) => *filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (true, Some(e)),
        }
    }
    (false, None)
}
