/*!
Parallel rendering of a long run of records (a million edges) into one output stream: the
records are cut into chunks of [`CHUNK`] records, a group of chunks at a time is rendered in
parallel (rayon) into text buffers, and the buffers are written in order. The output is the
same bytes whatever the thread count, and memory holds one group of rendered text per file
being written, not the file.

[`RenderedIds`] holds every node id already escaped, in one string: each edge names two
nodes, and copying their ids from a table of a megabyte is much faster than escaping strings
scattered over the heap a million times.
*/

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use super::ExportError;
use super::model::{Element, ExportEdge, ExportNode, GraphSource, check_endpoints, check_values};

/// Records per chunk: enough to make a task worth scheduling, few enough that a group of
/// rendered chunks (up to a megabyte per chunk) is still in the processor's cache when it is
/// copied to the file: copying from memory costs the kernel several times more.
pub(crate) const CHUNK: usize = 1024;

/// Chunks rendered at once; their buffers are reused from group to group.
const GROUP: usize = 8;

/// Renders records `0..count` in chunks and writes them to `out` in record order.
///
/// # Arguments
/// * `count` – number of records.
/// * `render` – appends the text of records `range` to the buffer (given empty); called in
///   parallel on disjoint ranges.
///
/// # Errors
/// The error of the first chunk (in record order) whose rendering fails, or the I/O error of
/// writing; nothing after a failed chunk is written.
///
/// # Complexity
/// O(count) renderings; memory of [`GROUP`] rendered chunks.
pub(crate) fn write_chunked<W, F, E>(out: &mut W, count: usize, render: F) -> Result<(), E>
where
    W: Write + ?Sized,
    F: Fn(Range<usize>, &mut String) -> Result<(), E> + Sync,
    E: From<std::io::Error> + Send,
{
    let mut buffers: Vec<String> = Vec::new();
    let mut start = 0;
    while start < count {
        let end = count.min(start + CHUNK * GROUP);
        let ranges: Vec<Range<usize>> = (start..end)
            .step_by(CHUNK)
            .map(|s| s..end.min(s + CHUNK))
            .collect();
        buffers.resize_with(buffers.len().max(ranges.len()), String::new);
        let results: Vec<Result<(), E>> = buffers[..ranges.len()]
            .par_iter_mut()
            .zip(ranges)
            .map(|(buffer, range)| {
                buffer.clear();
                render(range, buffer)
            })
            .collect();
        for (buffer, result) in buffers.iter().zip(results) {
            result?;
            out.write_all(buffer.as_bytes())?;
        }
        start = end;
    }
    Ok(())
}

/// Checks that a visit of `range` stopped at its end (`visited` is the index after the last
/// record visited).
pub(crate) fn counted(
    what: &'static str,
    announced: usize,
    range: std::ops::Range<usize>,
    visited: usize,
) -> Result<(), ExportError> {
    if visited == range.end {
        Ok(())
    } else {
        Err(ExportError::CountMismatch {
            what,
            announced,
            visited,
        })
    }
}

/// Visits nodes `range` of `graph`, each checked against the node schema, and checks that the
/// source visited exactly that range: what every writer does before rendering a node.
pub(crate) fn visit_checked_nodes<S: GraphSource + ?Sized>(
    graph: &S,
    range: Range<usize>,
    mut render: impl FnMut(&ExportNode),
) -> Result<(), ExportError> {
    let mut visited = range.start;
    graph.visit_node_range(range.clone(), &mut |node| {
        check_values(
            Element::Node(visited),
            graph.node_attributes(),
            &node.values,
        )?;
        render(node);
        visited += 1;
        Ok(())
    })?;
    counted("nodes", graph.node_count(), range, visited)
}

/// Visits edges `range` of `graph`, each with its index, endpoints and values checked, and
/// checks that the source visited exactly that range.
pub(crate) fn visit_checked_edges<S: GraphSource + ?Sized>(
    graph: &S,
    range: Range<usize>,
    mut render: impl FnMut(usize, &ExportEdge),
) -> Result<(), ExportError> {
    let node_count = graph.node_count();
    let mut visited = range.start;
    graph.visit_edge_range(range.clone(), &mut |edge| {
        check_endpoints(visited, edge, node_count)?;
        check_values(
            Element::Edge(visited),
            graph.edge_attributes(),
            &edge.values,
        )?;
        render(visited, edge);
        visited += 1;
        Ok(())
    })?;
    counted("edges", graph.edge_count(), range, visited)
}

/// The id of every node of a graph, rendered once (XML-escaped or CSV-quoted) into one string.
pub(crate) struct RenderedIds {
    text: String,
    /// End of each node's id in `text`; node `i` starts where node `i - 1` ends.
    ends: Vec<usize>,
}

impl RenderedIds {
    /// Renders `graph.node_id(i)` for every node with `render` (which appends its argument,
    /// escaped, to the string).
    pub(crate) fn new<S>(graph: &S, render: fn(&str, &mut String)) -> Self
    where
        S: super::GraphSource + ?Sized,
    {
        let count = graph.node_count();
        let mut text = String::with_capacity(count * 12);
        let mut ends = Vec::with_capacity(count);
        for ix in 0..count {
            render(graph.node_id(ix), &mut text);
            ends.push(text.len());
        }
        RenderedIds { text, ends }
    }

    /// The rendered id of node `ix` (`ix < node_count`).
    pub(crate) fn get(&self, ix: usize) -> &str {
        let start = if ix == 0 { 0 } else { self.ends[ix - 1] };
        &self.text[start..self.ends[ix]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ExportError;

    #[test]
    fn chunks_come_out_in_order_and_the_first_error_wins() {
        let count = CHUNK * GROUP * 2 + 17;
        let render = |range: Range<usize>, out: &mut String| {
            for i in range {
                out.push_str(&i.to_string());
                out.push(',');
            }
            Ok::<(), ExportError>(())
        };
        let expected: String = (0..count).map(|i| format!("{i},")).collect();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            pool.install(|| write_chunked(&mut out, count, render))
                .unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }

        let failing = |range: Range<usize>, out: &mut String| {
            out.push('x');
            match range.clone().find(|i| i % (CHUNK + 1) == CHUNK) {
                Some(i) => Err(ExportError::CountMismatch {
                    what: "edges",
                    announced: count,
                    visited: i,
                }),
                None => Ok(()),
            }
        };
        let mut out = Vec::new();
        let err = write_chunked(&mut out, count, failing).unwrap_err();
        assert!(
            matches!(err, ExportError::CountMismatch { visited, .. } if visited == CHUNK),
            "{err}"
        );
        assert_eq!(out, b"x", "only the chunk before the failed one is written");
        write_chunked(&mut out, 0, failing).unwrap();
    }

    #[test]
    fn rendered_ids_are_escaped_and_in_node_order() {
        use crate::export::{ExportGraph, ExportNode};
        let graph = ExportGraph {
            nodes: ["a&b", "", "<c>"]
                .iter()
                .map(|id| ExportNode {
                    id: (*id).to_string(),
                    ..ExportNode::default()
                })
                .collect(),
            ..ExportGraph::default()
        };
        let ids = RenderedIds::new(&graph, crate::export::text::escape_xml_attr);
        let got: Vec<&str> = (0..3).map(|i| ids.get(i)).collect();
        assert_eq!(got, ["a&amp;b", "", "&lt;c&gt;"]);
    }
}
