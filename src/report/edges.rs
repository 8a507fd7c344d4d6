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
*/

use std::io::{self, Read, Write};
use std::path::Path;

use super::ReportError;

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

impl EdgeTable {
    /// Writes the table as CSV.
    ///
    /// Rows are rendered in chunks in parallel on the current rayon pool and written in order:
    /// the bytes are those of the `csv` crate's writer (fields quoted only when they must be,
    /// numbers as `Display` writes them), whatever the thread count.
    pub fn write_csv<W: Write>(&self, out: W) -> io::Result<()> {
        use crate::export::text::{push_csv_field, push_f64_display};
        let mut out = io::BufWriter::with_capacity(1 << 16, out);
        let mut header = String::new();
        for (i, name) in FIXED_COLUMNS
            .iter()
            .copied()
            .chain(self.layers.iter().map(String::as_str))
            .enumerate()
        {
            if i > 0 {
                header.push(',');
            }
            push_csv_field(&mut header, name);
        }
        header.push('\n');
        out.write_all(header.as_bytes())?;
        let width = FIXED_COLUMNS.len() + self.layers.len();
        crate::export::chunks::write_chunked(&mut out, self.edges.len(), |range, buf| {
            for e in &self.edges[range] {
                // The `csv` writer refuses a row whose length differs from the header's.
                if FIXED_COLUMNS.len() + e.layer_weights.len() != width {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!(
                            "found record with {} fields, but the previous record has {width} \
                             fields",
                            FIXED_COLUMNS.len() + e.layer_weights.len()
                        ),
                    ));
                }
                push_csv_field(buf, &e.source);
                buf.push(',');
                push_csv_field(buf, &e.target);
                buf.push(',');
                push_f64_display(e.weight, buf);
                buf.push(',');
                buf.push_str(itoa::Buffer::new().format(e.pairs));
                buf.push(',');
                push_f64_display(e.min_dt_s, buf);
                buf.push(',');
                push_csv_field(buf, &e.first);
                buf.push(',');
                push_csv_field(buf, &e.last);
                for &w in &e.layer_weights {
                    buf.push(',');
                    push_f64_display(w, buf);
                }
                buf.push('\n');
            }
            Ok(())
        })?;
        out.flush()
    }

    /// Writes the table to `path`, atomically.
    pub fn write_file(&self, path: &Path) -> Result<(), ReportError> {
        crate::export::atomic::write_atomically(path, |file| self.write_csv(file)).map_err(
            |source| ReportError::Io {
                path: path.display().to_string(),
                cause: source,
            },
        )
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
