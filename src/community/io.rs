/*!
Reading a weighted edge list into a [`Csr`], and writing (or reading back) a partition as a
`node,community` CSV: the file formats of `coordgraph communities`.

An edge list is a CSV of `source,target[,weight]` rows with arbitrary string node ids
(a missing weight is 1; lines starting with `#` are comments; a `.gz` file is decompressed).
The first row is taken as a header when its third field is not a number, or when it names a
known pair of columns (`source,target`, `src,dst`, `from,to`, `u,v`, `node1,node2`, `a,b`).
A header that names them anywhere chooses the columns read, with `weight` for the weight:
`coordgraph network`'s `kind,source,target,weight,…` reads as it is. Nodes are numbered in
order of first appearance.
*/

use super::partition::Partition;
use crate::graph::csr::{Csr, CsrError};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// A graph read from an edge list, with the name of each node.
#[derive(Debug, Clone)]
pub struct EdgeList {
    /// The name of node `i` of [`EdgeList::graph`], as written in the file.
    pub names: Vec<String>,
    /// The graph (parallel edges summed, self-loops kept).
    pub graph: Csr,
}

/// Why an edge list or a partition file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum EdgeListError {
    /// The file could not be opened, read or written.
    #[error("cannot read or write {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A row is not valid CSV (or not valid UTF-8 where text is needed).
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A row has fewer than two fields.
    #[error("{}:{line}: expected `source,target[,weight]`, found {fields} field(s)", path.display())]
    MissingField {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The number of fields found.
        fields: usize,
    },
    /// A weight is not a finite non-negative number.
    #[error("{}:{line}: weight `{value}` is not a finite number of at least 0", path.display())]
    InvalidWeight {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The field as written.
        value: String,
    },
    /// The edges do not make a graph (too many, or an invalid weight).
    #[error("{}: cannot build the graph", path.display())]
    Graph {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: CsrError,
    },
    /// A partition file names a node that is not in the graph.
    #[error("{}:{line}: node `{node}` is not in the graph", path.display())]
    UnknownNode {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The node name.
        node: String,
    },
    /// A partition file gives no community to a node of the graph.
    #[error("{}: node `{node}` has no community", path.display())]
    MissingNode {
        /// The file.
        path: PathBuf,
        /// The node name.
        node: String,
    },
    /// The names and the partition to write have different lengths.
    #[error("{}: {names} node names for a partition of {partition} nodes", path.display())]
    NodeCountMismatch {
        /// The file.
        path: PathBuf,
        /// Number of names.
        names: usize,
        /// Number of nodes in the partition.
        partition: usize,
    },
}

/// Opens a file for reading, decompressing it when its name ends in `.gz`.
fn open(path: &Path) -> Result<Box<dyn Read>, EdgeListError> {
    let file = File::open(path).map_err(|source| EdgeListError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = BufReader::with_capacity(1 << 20, file);
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// A CSV reader with the conventions of the module docs.
fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .buffer_capacity(1 << 20)
        .from_reader(reader)
}

/// Maps a CSV error to [`EdgeListError`].
fn csv_error(path: &Path, err: csv::Error) -> EdgeListError {
    let line = err.position().map_or(0, |p| p.line());
    match err.into_kind() {
        csv::ErrorKind::Io(source) => EdgeListError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => EdgeListError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// Reads the edge list at `path` (see the module docs for the format).
///
/// # Errors
/// [`EdgeListError`] naming the file (and the line, for a bad row).
pub fn read_edge_list(path: &Path) -> Result<EdgeList, EdgeListError> {
    read_edge_list_from(open(path)?, path)
}

/// Reads an edge list from `reader`; `path` only names the source in errors.
///
/// # Errors
/// As [`read_edge_list`].
pub fn read_edge_list_from<R: Read>(reader: R, path: &Path) -> Result<EdgeList, EdgeListError> {
    let mut csv = csv_reader(reader);
    let mut ids: hashbrown::HashMap<Box<[u8]>, u32, rustc_hash::FxBuildHasher> =
        hashbrown::HashMap::default();
    let mut names: Vec<String> = Vec::new();
    let mut edges: Vec<(u32, u32, f32)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    let mut intern = |field: &[u8], line: u64| -> Result<u32, EdgeListError> {
        if let Some(&id) = ids.get(field) {
            return Ok(id);
        }
        let name = std::str::from_utf8(field).map_err(|_| EdgeListError::Malformed {
            path: path.to_path_buf(),
            line,
            message: "node id is not valid UTF-8".into(),
        })?;
        let id = names.len() as u32;
        names.push(name.to_owned());
        ids.insert(field.into(), id);
        Ok(id)
    };
    let mut columns = Columns::POSITIONAL;
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        if std::mem::take(&mut first)
            && let Some(named) = header_columns(&record)
        {
            columns = named;
            continue;
        }
        if record.len() <= columns.source.max(columns.target) {
            if record.len() == 1 && record[0].is_empty() {
                continue;
            }
            return Err(EdgeListError::MissingField {
                path: path.to_path_buf(),
                line,
                fields: record.len(),
            });
        }
        let weight = match columns.weight.and_then(|w| record.get(w)) {
            None => 1.0,
            Some(field) => match parse_weight(field) {
                Some(w) if w.is_finite() && w >= 0.0 => w,
                _ => {
                    return Err(EdgeListError::InvalidWeight {
                        path: path.to_path_buf(),
                        line,
                        value: String::from_utf8_lossy(field).into_owned(),
                    });
                }
            },
        };
        let source = intern(&record[columns.source], line)?;
        let target = intern(&record[columns.target], line)?;
        edges.push((source, target, weight));
    }
    drop(ids);
    let graph = Csr::from_edges(names.len(), &edges).map_err(|source| EdgeListError::Graph {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(EdgeList { names, graph })
}

/// Parses a weight field.
fn parse_weight(field: &[u8]) -> Option<f32> {
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// The columns an edge list's rows are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    source: usize,
    target: usize,
    /// `None`: every edge weighs 1.
    weight: Option<usize>,
}

impl Columns {
    /// `source,target[,weight]`.
    const POSITIONAL: Columns = Columns {
        source: 0,
        target: 1,
        weight: Some(2),
    };
}

/// The columns named by the first row when it is a header (see the module docs), `None` when
/// it is an edge.
fn header_columns(record: &csv::ByteRecord) -> Option<Columns> {
    const PAIRS: [(&str, &str); 6] = [
        ("source", "target"),
        ("src", "dst"),
        ("from", "to"),
        ("u", "v"),
        ("node1", "node2"),
        ("a", "b"),
    ];
    let names: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_ascii_lowercase).collect();
    let find = |name: &str| names.iter().position(|n| n == name.as_bytes());
    for (x, y) in PAIRS {
        if let (Some(source), Some(target)) = (find(x), find(y)) {
            let positional = (source, target) == (0, 1) && names.len() > 2;
            let weight = find("weight").or(positional.then_some(2));
            return Some(Columns {
                source,
                target,
                weight,
            });
        }
    }
    // A third field that is not a number names a column.
    let weight_is_text = record.get(2).is_some_and(|w| parse_weight(w).is_none());
    weight_is_text.then_some(Columns::POSITIONAL)
}

/// Writes `partition` as a `node,community` CSV (with that header), one row per node in node
/// order, the node named by `names`.
///
/// # Errors
/// [`EdgeListError::Io`] when the file cannot be written, and
/// [`EdgeListError::NodeCountMismatch`] when `names` and `partition` differ in length.
pub fn write_partition(
    path: &Path,
    names: &[String],
    partition: &Partition,
) -> Result<(), EdgeListError> {
    if names.len() != partition.node_count() {
        return Err(EdgeListError::NodeCountMismatch {
            path: path.to_path_buf(),
            names: names.len(),
            partition: partition.node_count(),
        });
    }
    let io = |source| EdgeListError::Io {
        path: path.to_path_buf(),
        source,
    };
    let to_io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => source,
        other => std::io::Error::other(format!("{other:?}")),
    };
    // Written atomically: a temporary file renamed over `path` once complete.
    crate::export::atomic::write_atomically(path, |file| -> std::io::Result<()> {
        let mut out = csv::Writer::from_writer(file);
        out.write_record(["node", "community"]).map_err(to_io)?;
        let mut buffer: Vec<u8> = Vec::with_capacity(16);
        for (name, &c) in names.iter().zip(partition.membership()) {
            buffer.clear();
            write!(buffer, "{c}")?;
            out.write_record([name.as_bytes(), buffer.as_slice()])
                .map_err(to_io)?;
        }
        out.flush()
    })
    .map_err(io)
}

/// Reads a `node,community` CSV (header optional, community labels arbitrary strings) as a
/// partition of the nodes named by `names`.
///
/// # Errors
/// [`EdgeListError::UnknownNode`] for a node not in `names`, [`EdgeListError::MissingNode`]
/// for a node of `names` without a row, and I/O or CSV errors naming the file and line.
pub fn read_partition(path: &Path, names: &[String]) -> Result<Partition, EdgeListError> {
    let index: rustc_hash::FxHashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let mut labels = vec![u32::MAX; names.len()];
    let mut communities: rustc_hash::FxHashMap<String, u32> = rustc_hash::FxHashMap::default();
    let mut csv = csv_reader(open(path)?);
    let mut record = csv::StringRecord::new();
    let mut first = true;
    while csv
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() < 2 {
            return Err(EdgeListError::MissingField {
                path: path.to_path_buf(),
                line,
                fields: record.len(),
            });
        }
        if std::mem::take(&mut first)
            && record[0].eq_ignore_ascii_case("node")
            && record[1].eq_ignore_ascii_case("community")
        {
            continue;
        }
        let node = *index
            .get(&record[0])
            .ok_or_else(|| EdgeListError::UnknownNode {
                path: path.to_path_buf(),
                line,
                node: record[0].to_owned(),
            })?;
        let next = communities.len() as u32;
        labels[node as usize] = *communities.entry(record[1].to_owned()).or_insert(next);
    }
    if let Some(v) = labels.iter().position(|&l| l == u32::MAX) {
        return Err(EdgeListError::MissingNode {
            path: path.to_path_buf(),
            node: names[v].clone(),
        });
    }
    Ok(Partition::from_labels(&labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<EdgeList, EdgeListError> {
        read_edge_list_from(text.as_bytes(), Path::new("edges.csv"))
    }

    #[test]
    fn reads_weighted_rows_with_a_header_and_string_ids() {
        let list =
            read("source,target,weight\nann,bob,2\nbob,cy,0.5\n# note\nbob,ann,1\n").unwrap();
        assert_eq!(list.names, vec!["ann", "bob", "cy"]);
        let g = &list.graph;
        assert_eq!(g.neighbors(0)[0].weight, 3.0);
        assert_eq!(g.degree(1), 3.5);
    }

    #[test]
    fn header_detection_keeps_numeric_first_rows() {
        let list = read("1,2\n2,3\n").unwrap();
        assert_eq!(list.names, vec!["1", "2", "3"]);
        let list = read("from,to\nx,y\n").unwrap();
        assert_eq!(list.names, vec!["x", "y"]);
        let list = read("ann,bob\n").unwrap();
        assert_eq!(list.graph.edge_count(), 1);
    }

    #[test]
    fn a_named_header_chooses_the_columns() {
        // `coordgraph network` with several kinds: the kind comes first.
        let list = read(
            "kind,source,target,weight,pairs\n\
             co-retweet,ann,bob,2,5\n\
             co-hashtag,ann,bob,1,1\n\
             co-hashtag,bob,cy,4,9\n",
        )
        .unwrap();
        assert_eq!(list.names, vec!["ann", "bob", "cy"]);
        assert_eq!(list.graph.neighbors(0)[0].weight, 3.0);
        assert_eq!(list.graph.degree(2), 4.0);
        // Without a weight column every edge weighs 1.
        let list = read("id,to,from\n1,x,y\n2,y,z\n").unwrap();
        assert_eq!(list.names, vec!["y", "x", "z"]);
        assert_eq!(list.graph.degree(0), 2.0);
        let err = read("kind,source,target\nco-url,ann\n").unwrap_err();
        assert!(
            matches!(err, EdgeListError::MissingField { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn bad_rows_are_errors_naming_the_line() {
        let err = read("a,b,1\nb,c,-2\n").unwrap_err();
        assert!(
            matches!(err, EdgeListError::InvalidWeight { line: 2, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "edges.csv:2: weight `-2` is not a finite number of at least 0"
        );
        let err = read("a,b\nlonely\n").unwrap_err();
        assert!(
            matches!(
                err,
                EdgeListError::MissingField {
                    line: 2,
                    fields: 1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn partitions_round_trip_through_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let names: Vec<String> = ["x", "y,z", "w"].iter().map(|s| s.to_string()).collect();
        let p = Partition::from_labels(&[0, 1, 0]);
        write_partition(&path, &names, &p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "node,community\nx,0\n\"y,z\",1\nw,0\n"
        );
        assert_eq!(read_partition(&path, &names).unwrap(), p);
        let err = read_partition(&path, &names[..2]).unwrap_err();
        assert!(
            matches!(err, EdgeListError::UnknownNode { line: 4, .. }),
            "{err}"
        );
    }
}
