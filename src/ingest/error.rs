/*!
What can go wrong while reading: records skipped for a reason (counted, shown, fatal only with
`--strict`) and errors that stop the run (a file that cannot be opened).
*/

use std::fmt;
use std::path::PathBuf;

/// Why a record was skipped. Each reason is counted separately in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The line is not valid JSON (or not of the expected shape).
    InvalidJson,
    /// The line is not valid UTF-8.
    InvalidUtf8,
    /// The record has no id.
    MissingId,
    /// The record has no author.
    MissingAuthor,
    /// The record has no time.
    MissingTime,
    /// The time could not be parsed.
    BadTime,
    /// The time is before 1970 or after 2099.
    TimeOutOfRange,
    /// A valid JSON payload that holds no tweets (users, counts, compliance events, lists…).
    NotATweet,
    /// A CSV row that does not fit the header or the column mapping.
    BadCsvRow,
    /// A compressed stream that ends early or is corrupt; what came before is kept.
    TruncatedStream,
    /// A read error in the middle of a file; what came before is kept.
    ReadError,
}

impl SkipReason {
    /// All reasons, in summary order.
    pub const ALL: [SkipReason; 11] = [
        SkipReason::InvalidJson,
        SkipReason::InvalidUtf8,
        SkipReason::MissingId,
        SkipReason::MissingAuthor,
        SkipReason::MissingTime,
        SkipReason::BadTime,
        SkipReason::TimeOutOfRange,
        SkipReason::NotATweet,
        SkipReason::BadCsvRow,
        SkipReason::TruncatedStream,
        SkipReason::ReadError,
    ];

    /// The snake_case name used in summaries and JSON.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::InvalidJson => "invalid_json",
            SkipReason::InvalidUtf8 => "invalid_utf8",
            SkipReason::MissingId => "missing_id",
            SkipReason::MissingAuthor => "missing_author",
            SkipReason::MissingTime => "missing_time",
            SkipReason::BadTime => "bad_time",
            SkipReason::TimeOutOfRange => "time_out_of_range",
            SkipReason::NotATweet => "not_a_tweet",
            SkipReason::BadCsvRow => "bad_csv_row",
            SkipReason::TruncatedStream => "truncated_stream",
            SkipReason::ReadError => "read_error",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One skipped record: where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skip {
    /// The file (or `-` for standard input).
    pub file: String,
    /// The 1-based line (JSON lines, CSV rows counting the header as line 1); 0 when the
    /// record has no line of its own (an element of a JSON array file).
    pub line: u64,
    /// Why.
    pub reason: SkipReason,
    /// Details, e.g. the parser's message.
    pub detail: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, self.reason, self.detail
            )
        } else {
            write!(f, "{}: {}: {}", self.file, self.reason, self.detail)
        }
    }
}

/// Errors that stop ingestion.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file or directory could not be opened or listed.
    #[error("cannot read {path}")]
    Open {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A record was bad and `--strict` was given.
    #[error("{0} (--strict makes bad records fatal)")]
    Strict(Skip),
    /// The column mapping does not fit a CSV file.
    #[error("{file}: {message}")]
    Columns {
        /// The file.
        file: String,
        /// What does not fit, and how to fix it.
        message: String,
    },
    /// The options are inconsistent.
    #[error("{0}")]
    Options(String),
}
