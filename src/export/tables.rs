/*!
CSV node and edge tables in the layout of Gephi's spreadsheet import ("Import spreadsheet",
one file for nodes, one for edges), written in one streaming pass each.

- Nodes: `Id,Label[,Interval],<node attributes…>`.
- Edges: `Source,Target,Type,Weight,Kind[,Interval],<edge attributes…>`, where `Type` is
  `Directed` or `Undirected` and `Kind` the parallel-edge category (empty when none).
- `Interval` (optional) holds the spells in Gephi's interval syntax,
  `<[2017-05-05T10:00:00Z, 2017-05-05T11:00:00Z]; […]>`.

Values use the same textual form as GEXF (lists `[a, b]`, times RFC 3339, missing values
empty). Text is written as is, quoted by CSV rules (as the `csv` crate quotes: a field holding a comma,
quote or line break is double-quoted, its quotes doubled): CSV can carry any character.
*/

use std::io::{BufWriter, Write};

use super::ExportError;
use super::chunks::{RenderedIds, visit_checked_edges, visit_checked_nodes, write_chunked};
use super::model::{AttrValue, GraphSource};
use super::text::{push_csv_field, push_datetime, push_f64, push_value};

/// CSV table settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Add an `Interval` column with the spells (Gephi's dynamic spreadsheet import).
    pub intervals: bool,
}

/// Writes the node table to `nodes` and the edge table to `edges`.
///
/// Rows are rendered in chunks in parallel on the current rayon pool; the bytes do not depend
/// on the thread count.
///
/// # Errors
/// I/O errors, and [`ExportError`]s for records that break the model.
///
/// # Complexity
/// O(nodes + edges + total spells) time; memory holds a few chunks of rendered rows.
pub fn write_csv_tables<S, N, E>(
    graph: &S,
    options: &CsvOptions,
    nodes: N,
    edges: E,
) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    N: Write,
    E: Write,
{
    let mut out = BufWriter::with_capacity(1 << 16, nodes);
    let mut header = vec!["Id", "Label"];
    if options.intervals {
        header.push("Interval");
    }
    header.extend(graph.node_attributes().iter().map(|a| a.name.as_str()));
    out.write_all(csv_row(&header).as_bytes())?;
    let node_count = graph.node_count();
    write_chunked(&mut out, node_count, |range, buf| {
        let mut text = String::new();
        visit_checked_nodes(graph, range, |node| {
            push_csv_field(buf, &node.id);
            buf.push(',');
            push_csv_field(buf, &node.label);
            if options.intervals {
                buf.push(',');
                push_intervals(&node.spells, &mut text);
                push_csv_field(buf, &text);
            }
            end_row(buf, &node.values, &mut text);
        })
    })?;
    out.flush()?;

    let mut out = BufWriter::with_capacity(1 << 16, edges);
    let mut header = vec!["Source", "Target", "Type", "Weight", "Kind"];
    if options.intervals {
        header.push("Interval");
    }
    header.extend(graph.edge_attributes().iter().map(|a| a.name.as_str()));
    out.write_all(csv_row(&header).as_bytes())?;
    let direction = if graph.directed() {
        "Directed"
    } else {
        "Undirected"
    };
    let edge_count = graph.edge_count();
    let ids = RenderedIds::new(graph, |id, out| push_csv_field(out, id));
    write_chunked(&mut out, edge_count, |range, buf| {
        let mut text = String::new();
        visit_checked_edges(graph, range, |_, edge| {
            buf.push_str(ids.get(edge.source));
            buf.push(',');
            buf.push_str(ids.get(edge.target));
            buf.push(',');
            buf.push_str(direction);
            buf.push(',');
            push_f64(edge.weight, buf);
            buf.push(',');
            push_csv_field(buf, edge.kind.as_deref().unwrap_or(""));
            if options.intervals {
                buf.push(',');
                push_intervals(&edge.spells, &mut text);
                push_csv_field(buf, &text);
            }
            end_row(buf, &edge.values, &mut text);
        })
    })?;
    out.flush()?;
    Ok(())
}

/// One CSV row of `fields`, with its line end.
fn csv_row(fields: &[&str]) -> String {
    let mut row = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        push_csv_field(&mut row, field);
    }
    row.push('\n');
    row
}

/// Writes the attribute values of a node or edge, each after a comma, and ends its row.
fn end_row(out: &mut String, values: &[AttrValue], text: &mut String) {
    for value in values {
        out.push(',');
        match value {
            AttrValue::Str(s) => push_csv_field(out, s),
            AttrValue::List(_) => {
                text.clear();
                push_value(value, text);
                push_csv_field(out, text);
            }
            // Numbers, booleans and times never need quotes.
            _ => push_value(value, out),
        }
    }
    out.push('\n');
}

/// Spells in Gephi's interval syntax, or nothing when there are none.
fn push_intervals(spells: &[(i64, i64)], text: &mut String) {
    text.clear();
    if spells.is_empty() {
        return;
    }
    text.push('<');
    for (i, &(a, b)) in spells.iter().enumerate() {
        if i > 0 {
            text.push_str("; ");
        }
        text.push('[');
        push_datetime(a.min(b), text);
        text.push_str(", ");
        push_datetime(a.max(b), text);
        text.push(']');
    }
    text.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        let fields = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "two\nlines",
            "cr\r",
            " spaced ",
            "#x",
            "tab\there",
            "😀,",
            "\u{0}",
        ];
        let mut expected = csv::Writer::from_writer(Vec::new());
        expected.write_record(fields).unwrap();
        expected.write_record(fields.iter().rev()).unwrap();
        let mut ours = csv_row(&fields);
        let reversed: Vec<&str> = fields.iter().rev().copied().collect();
        ours.push_str(&csv_row(&reversed));
        assert_eq!(ours.as_bytes(), expected.into_inner().unwrap());
    }

    #[test]
    fn intervals_use_gephi_syntax() {
        let mut s = String::new();
        push_intervals(&[(1_000, 0), (86_400_000, 86_400_000)], &mut s);
        assert_eq!(
            s,
            "<[1970-01-01T00:00:00Z, 1970-01-01T00:00:01Z]; \
             [1970-01-02T00:00:00Z, 1970-01-02T00:00:00Z]>"
        );
        push_intervals(&[], &mut s);
        assert_eq!(s, "");
    }
}
