/*!
Reports of an analysis: the versioned `report.json` ([`schema`]) and what is rendered from it for
people.

`report.json` is the single source of every rendering, so `coordgraph report` can redo them
from a saved analysis without recomputing anything.
*/

pub mod charts;
mod edges;
pub mod html;
pub mod markdown;
pub mod render;
pub mod schema;
mod svg;
pub mod terminal;

use std::path::Path;

pub use edges::{
    CoordinationEdges, EdgeFields, EdgeRow, EdgeRows, EdgeTable, EdgeTime, FIXED_COLUMNS,
    write_edges_csv, write_edges_file,
};
pub use html::render_html;
pub use markdown::render_markdown;
pub use render::write_report_files;
pub use schema::*;
pub use terminal::write_terminal_summary;

/// Why a report could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The cause (in the message, so not repeated as a source).
        cause: std::io::Error,
    },
    /// The file is not a report.
    #[error("{path}: not a coordgraph report: {cause}")]
    Json {
        /// The file.
        path: String,
        /// The cause (in the message, so not repeated as a source).
        cause: serde_json::Error,
    },
    /// The report was written by a version of the schema this program does not read.
    #[error("{path}: report version {found}, but this program reads version {expected}")]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: u64,
        /// [`REPORT_VERSION`].
        expected: u32,
    },
}

/// Writes `report` as compact JSON to `path`, atomically.
pub fn write_report_json(report: &Report, path: &Path) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.display().to_string(),
        cause: source,
    };
    let mut bytes = serde_json::to_vec(report).map_err(|e| io(e.into()))?;
    bytes.push(b'\n');
    crate::export::atomic::write_file_atomically(path, &bytes).map_err(io)
}

/// Reads a report, checking its version before its shape, so that a report from another
/// version says so instead of naming a missing field.
pub fn read_report(path: &Path) -> Result<Report, ReportError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        path: name.clone(),
        cause: source,
    })?;
    parse_report(&bytes, &name)
}

/// Parses a report from bytes; `name` is used in errors.
pub fn parse_report(bytes: &[u8], name: &str) -> Result<Report, ReportError> {
    let json = |source| ReportError::Json {
        path: name.to_owned(),
        cause: source,
    };
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        version: u64,
    }
    let v: VersionOnly = serde_json::from_slice(bytes).map_err(json)?;
    if v.version != u64::from(REPORT_VERSION) {
        return Err(ReportError::Version {
            path: name.to_owned(),
            found: v.version,
            expected: REPORT_VERSION,
        });
    }
    serde_json::from_slice(bytes).map_err(json)
}

/// Why the outputs of an analysis could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The report or the edge table.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A graph export.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

/// File name of the report.
pub const REPORT_FILE: &str = "report.json";
/// File name of the saved coordination graph.
pub const EDGES_FILE: &str = "coordination-edges.csv";

/// Writes every output of an analysis into `dir` (created if missing): `report.json`, the
/// coordination graph table, `report.html` and `report.md`, and the graph exports, each
/// atomically; independent files are written in parallel. The edge table is complete; the
/// graph exports are bounded by `exports.max_edges` (see [`crate::export`]).
///
/// # Returns
/// The paths written, in a fixed order.
pub fn write_outputs(
    report: &Report,
    edges: &dyn EdgeRows,
    dir: &Path,
    exports: &crate::export::AnalysisExportOptions,
) -> Result<Vec<std::path::PathBuf>, OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.display().to_string(),
        cause: source,
    })?;
    let (saved, (rendered, exported)) = rayon::join(
        || -> Result<Vec<std::path::PathBuf>, OutputError> {
            let report_path = dir.join(REPORT_FILE);
            let edges_path = dir.join(EDGES_FILE);
            let (a, b) = rayon::join(
                || write_report_json(report, &report_path),
                || write_edges_file(edges, &edges_path),
            );
            a?;
            b?;
            Ok(vec![report_path, edges_path])
        },
        || {
            rayon::join(
                || write_report_files(report, dir),
                || crate::export::write_analysis_exports(report, edges, dir, exports),
            )
        },
    );
    let mut written = saved?;
    written.extend(rendered?);
    written.extend(exported?);
    Ok(written)
}
