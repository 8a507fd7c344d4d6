/*!
The coordination graph saved beside `report.json`: one CSV row per edge, so that exports can be
redone from a saved analysis.

```text
source,target,weight,pairs,min_dt,first,last,<layer>,<layer>,...
```

`source` and `target` are account ids (source first in account order), `weight` the combined
weight, `pairs` the co-action pairs over all layers, `min_dt` the least |Δt| in seconds,
`first` and `last` the earliest and latest action in a pair (RFC 3339), then one column per
layer with the edge's weight in that layer (0 when the layer lacks it).

Two tables implement [`EdgeRows`], what the CSV writer and the graph exports read:
[`EdgeTable`], rows of strings as [`EdgeTable::read_csv`] gives them back (for a saved
analysis), and [`CoordinationEdges`], what `analyze` holds: the [`CompactGraph`] with one id
per node, each row formatted only when it is written (about 50 bytes per edge in memory, where
rows of strings take over 300), with the same bytes out.
*/

use std::io::{self, Read, Write};
use std::path::Path;

use super::ReportError;
use crate::graph::CompactGraph;
use crate::ingest::time::format_rfc3339;

/// The columns before the layer columns.
pub const FIXED_COLUMNS: [&str; 7] = [
    "source", "target", "weight", "pairs", "min_dt", "first", "last",
];

/// One edge of the coordination graph.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRow {
    /// One account id.
    pub source: String,
    /// The other account id.
    pub target: String,
    /// Combined weight.
    pub weight: f64,
    /// Co-action pairs over all layers.
    pub pairs: u64,
    /// Least |Δt| in seconds.
    pub min_dt_s: f64,
    /// Earliest action in a pair.
    pub first: String,
    /// Latest action in a pair.
    pub last: String,
    /// Weight per layer, in the order of the table's layers.
    pub layer_weights: Vec<f64>,
}

/// The saved coordination graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeTable {
    /// The layer names, in column order.
    pub layers: Vec<String>,
    /// The edges, in (source, target) account order.
    pub edges: Vec<EdgeRow>,
}

/// A time of an edge row: milliseconds, or the text of a saved table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeTime<'a> {
    /// Milliseconds since the epoch, written as RFC 3339.
    Ms(i64),
    /// Text as read, written as is.
    Text(&'a str),
}

impl EdgeTime<'_> {
    /// The time in milliseconds; text that does not parse as RFC 3339 gives `None`.
    pub fn ms(self) -> Option<i64> {
        match self {
            EdgeTime::Ms(ms) => Some(ms),
            EdgeTime::Text(text) => crate::ingest::time::parse_iso_date(text),
        }
    }
}

/// The columns of one edge row before its layer weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeFields<'a> {
    /// One account id.
    pub source: &'a str,
    /// The other account id.
    pub target: &'a str,
    /// Combined weight.
    pub weight: f64,
    /// Co-action pairs over all layers.
    pub pairs: u64,
    /// Least |Δt| in seconds.
    pub min_dt_s: f64,
    /// Earliest action in a pair.
    pub first: EdgeTime<'a>,
    /// Latest action in a pair.
    pub last: EdgeTime<'a>,
}

/// A coordination edge table read row by row, in (source, target) account order: what the
/// CSV writer ([`write_edges_csv`]) and the graph exports read.
pub trait EdgeRows: Sync + std::fmt::Debug {
    /// The layer names, in column order.
    fn layers(&self) -> &[String];
    /// The number of edges.
    fn edge_count(&self) -> usize;
    /// The fixed columns of edge `i`.
    fn fields(&self, i: usize) -> EdgeFields<'_>;
    /// The layer weights of edge `i`, into `out` (cleared first): one per layer, unless a
    /// table read from a file has a row of another length.
    fn layer_weights(&self, i: usize, out: &mut Vec<f64>);
}

impl EdgeRows for EdgeTable {
    fn layers(&self) -> &[String] {
        &self.layers
    }
    fn edge_count(&self) -> usize {
        self.edges.len()
    }
    fn fields(&self, i: usize) -> EdgeFields<'_> {
        let e = &self.edges[i];
        EdgeFields {
            source: &e.source,
            target: &e.target,
            weight: e.weight,
            pairs: e.pairs,
            min_dt_s: e.min_dt_s,
            first: EdgeTime::Text(&e.first),
            last: EdgeTime::Text(&e.last),
        }
    }
    fn layer_weights(&self, i: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend_from_slice(&self.edges[i].layer_weights);
    }
}

/// The coordination graph of an analysis as its edge table: the [`CompactGraph`] and the id
/// of each of its nodes. Rows are formatted when written, to the bytes an [`EdgeTable`] of the
/// same rows writes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoordinationEdges {
    /// The layer names, in column order.
    pub layers: Vec<String>,
    /// Per node of `graph`: its account id.
    pub ids: Vec<String>,
    /// The graph.
    pub graph: CompactGraph,
}

impl EdgeRows for CoordinationEdges {
    fn layers(&self) -> &[String] {
        &self.layers
    }
    fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
    fn fields(&self, i: usize) -> EdgeFields<'_> {
        let g = &self.graph;
        EdgeFields {
            source: &self.ids[g.source[i] as usize],
            target: &self.ids[g.target[i] as usize],
            weight: g.weight[i],
            pairs: g.pairs[i],
            min_dt_s: f64::from(g.min_dt_ms[i]) / 1000.0,
            first: EdgeTime::Ms(g.first_ms[i]),
            last: EdgeTime::Ms(g.last_ms[i]),
        }
    }
    fn layer_weights(&self, i: usize, out: &mut Vec<f64>) {
        self.graph.layer_weights_into(i, out);
    }
}

impl CoordinationEdges {
    /// The rows as strings, as [`EdgeTable::read_csv`] reads the written table back (about
    /// 300 bytes per edge: for small graphs).
    pub fn to_table(&self) -> EdgeTable {
        let edges = (0..self.edge_count())
            .map(|i| {
                let e = self.fields(i);
                let mut layer_weights = Vec::new();
                self.layer_weights(i, &mut layer_weights);
                let time = |t: EdgeTime<'_>| match t {
                    EdgeTime::Ms(ms) => format_rfc3339(ms),
                    EdgeTime::Text(text) => text.to_owned(),
                };
                EdgeRow {
                    source: e.source.to_owned(),
                    target: e.target.to_owned(),
                    weight: e.weight,
                    pairs: e.pairs,
                    min_dt_s: e.min_dt_s,
                    first: time(e.first),
                    last: time(e.last),
                    layer_weights,
                }
            })
            .collect();
        EdgeTable {
            layers: self.layers.clone(),
            edges,
        }
    }

    /// Writes the table as CSV (see [`write_edges_csv`]).
    pub fn write_csv<W: Write>(&self, out: W) -> io::Result<()> {
        write_edges_csv(self, out)
    }

    /// Writes the table to `path`, atomically.
    pub fn write_file(&self, path: &Path) -> Result<(), ReportError> {
        write_edges_file(self, path)
    }
}

/// Writes an edge table as CSV.
///
/// Rows are rendered in chunks in parallel on the current rayon pool and written in order:
/// the bytes are those of the `csv` crate's writer (fields quoted only when they must be,
/// numbers as `Display` writes them), whatever the thread count. Memory holds a few chunks of
/// rendered rows, never the file.
///
/// # Errors
/// I/O errors, and a row whose number of layer weights differs from the table's layers.
pub fn write_edges_csv<W: Write>(rows: &dyn EdgeRows, out: W) -> io::Result<()> {
    use crate::export::text::{push_csv_field, push_f64_display};
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut header = String::new();
    for (i, name) in FIXED_COLUMNS
        .iter()
        .copied()
        .chain(rows.layers().iter().map(String::as_str))
        .enumerate()
    {
        if i > 0 {
            header.push(',');
        }
        push_csv_field(&mut header, name);
    }
    header.push('\n');
    out.write_all(header.as_bytes())?;
    let width = FIXED_COLUMNS.len() + rows.layers().len();
    let push_time = |buf: &mut String, t: EdgeTime<'_>| match t {
        EdgeTime::Text(text) => push_csv_field(buf, text),
        EdgeTime::Ms(ms) => push_csv_field(buf, &format_rfc3339(ms)),
    };
    crate::export::chunks::write_chunked(&mut out, rows.edge_count(), |range, buf| {
        let mut weights = Vec::new();
        for i in range {
            let e = rows.fields(i);
            rows.layer_weights(i, &mut weights);
            // The `csv` writer refuses a row whose length differs from the header's.
            if FIXED_COLUMNS.len() + weights.len() != width {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "found record with {} fields, but the previous record has {width} \
                         fields",
                        FIXED_COLUMNS.len() + weights.len()
                    ),
                ));
            }
            push_csv_field(buf, e.source);
            buf.push(',');
            push_csv_field(buf, e.target);
            buf.push(',');
            push_f64_display(e.weight, buf);
            buf.push(',');
            buf.push_str(itoa::Buffer::new().format(e.pairs));
            buf.push(',');
            push_f64_display(e.min_dt_s, buf);
            buf.push(',');
            push_time(buf, e.first);
            buf.push(',');
            push_time(buf, e.last);
            for &w in &weights {
                buf.push(',');
                push_f64_display(w, buf);
            }
            buf.push('\n');
        }
        Ok(())
    })?;
    out.flush()
}

/// Writes an edge table to `path` as CSV, atomically.
///
/// # Errors
/// As [`write_edges_csv`], with the path.
pub fn write_edges_file(rows: &dyn EdgeRows, path: &Path) -> Result<(), ReportError> {
    crate::export::atomic::write_atomically(path, |file| write_edges_csv(rows, file)).map_err(
        |source| ReportError::Io {
            path: path.display().to_string(),
            cause: source,
        },
    )
}

impl EdgeTable {
    /// Writes the table as CSV (see [`write_edges_csv`]).
    pub fn write_csv<W: Write>(&self, out: W) -> io::Result<()> {
        write_edges_csv(self, out)
    }

    /// Writes the table to `path`, atomically.
    pub fn write_file(&self, path: &Path) -> Result<(), ReportError> {
        write_edges_file(self, path)
    }

    /// Reads a table written by [`EdgeTable::write_csv`]; `name` is used in errors.
    pub fn read_csv<R: Read>(input: R, name: &str) -> Result<EdgeTable, ReportError> {
        let bad = |line: u64, why: String| ReportError::Io {
            path: name.to_owned(),
            cause: io::Error::new(io::ErrorKind::InvalidData, format!("line {line}: {why}")),
        };
        let mut r = csv::Reader::from_reader(input);
        let header = r.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let names: Vec<&str> = header.iter().collect();
        if names.len() < FIXED_COLUMNS.len() || names[..FIXED_COLUMNS.len()] != FIXED_COLUMNS {
            return Err(bad(
                1,
                format!("expected the columns {}", FIXED_COLUMNS.join(",")),
            ));
        }
        let layers: Vec<String> = names[FIXED_COLUMNS.len()..]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut edges = Vec::new();
        for (i, record) in r.records().enumerate() {
            let line = i as u64 + 2;
            let record = record.map_err(|e| bad(line, e.to_string()))?;
            if record.len() != names.len() {
                return Err(bad(
                    line,
                    format!("{} fields, expected {}", record.len(), names.len()),
                ));
            }
            let num = |k: usize| -> Result<f64, ReportError> {
                record[k]
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(line, format!("`{}` is not a number", &record[k])))
            };
            edges.push(EdgeRow {
                source: record[0].to_owned(),
                target: record[1].to_owned(),
                weight: num(2)?,
                pairs: record[3]
                    .parse()
                    .map_err(|_| bad(line, format!("`{}` is not a count", &record[3])))?,
                min_dt_s: num(4)?,
                first: record[5].to_owned(),
                last: record[6].to_owned(),
                layer_weights: (FIXED_COLUMNS.len()..names.len())
                    .map(num)
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(EdgeTable { layers, edges })
    }

    /// Reads a table from `path`.
    pub fn read_file(path: &Path) -> Result<EdgeTable, ReportError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| ReportError::Io {
            path: name.clone(),
            cause: source,
        })?;
        EdgeTable::read_csv(io::BufReader::new(file), &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let table = EdgeTable {
            layers: vec!["co-retweet".into(), "co-url".into()],
            edges: vec![EdgeRow {
                source: "1".into(),
                target: "2".into(),
                weight: 3.0,
                pairs: 5,
                min_dt_s: 0.25,
                first: "2017-05-05T18:50:00.000Z".into(),
                last: "2017-05-05T19:00:00.000Z".into(),
                layer_weights: vec![2.0, 1.0],
            }],
        };
        let mut bytes = Vec::new();
        table.write_csv(&mut bytes).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("source,target,weight,pairs,min_dt,first,last,co-retweet,co-url\n")
        );
        assert!(
            text.contains("\n1,2,3,5,0.25,2017-05-05T18:50:00.000Z,2017-05-05T19:00:00.000Z,2,1\n")
        );
        assert_eq!(EdgeTable::read_csv(&bytes[..], "t").unwrap(), table);
        let err = EdgeTable::read_csv(&b"a,b\n1,2\n"[..], "bad.csv").unwrap_err();
        assert!(err.to_string().contains("bad.csv"), "{err}");
    }
}
