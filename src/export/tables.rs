/*!
CSV node and edge tables in the layout of Gephi's spreadsheet import ("Import spreadsheet",
one file for nodes, one for edges), written in one streaming pass each.

- Nodes: `Id,Label[,Interval],<node attributes…>`.
- Edges: `Source,Target,Type,Weight,Kind[,Interval],<edge attributes…>`, where `Type` is
  `Directed` or `Undirected` and `Kind` the parallel-edge category (empty when none).
- `Interval` (optional) holds the spells in Gephi's interval syntax,
  `<[2017-05-05T10:00:00Z, 2017-05-05T11:00:00Z]; […]>`.

Values use the same textual form as GEXF (lists `[a, b]`, times RFC 3339, missing values
empty). Text is written as is, quoted by CSV rules: CSV can carry any character.
*/

use std::io::Write;

use super::ExportError;
use super::model::{AttrValue, Element, GraphSource, check_endpoints, check_values};
use super::text::{push_datetime, push_f64, push_value};

/// CSV table settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Add an `Interval` column with the spells (Gephi's dynamic spreadsheet import).
    pub intervals: bool,
}

/// Writes the node table to `nodes` and the edge table to `edges`.
///
/// # Errors
/// I/O and CSV errors (as [`ExportError::Io`]), and [`ExportError`]s for records that break the
/// model.
///
/// # Complexity
/// O(nodes + edges + total spells) time; memory holds one record at a time.
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
    let mut out = csv::Writer::from_writer(nodes);
    let mut header = vec!["Id", "Label"];
    if options.intervals {
        header.push("Interval");
    }
    header.extend(graph.node_attributes().iter().map(|a| a.name.as_str()));
    out.write_record(&header).map_err(csv_error)?;
    let mut text = String::with_capacity(64);
    let mut visited = 0;
    graph.visit_nodes(&mut |node| {
        check_values(
            Element::Node(visited),
            graph.node_attributes(),
            &node.values,
        )?;
        out.write_field(&node.id).map_err(csv_error)?;
        out.write_field(&node.label).map_err(csv_error)?;
        if options.intervals {
            push_intervals(&node.spells, &mut text);
            out.write_field(&text).map_err(csv_error)?;
        }
        end_row(&mut out, &node.values, &mut text)?;
        visited += 1;
        Ok(())
    })?;
    if visited != graph.node_count() {
        return Err(ExportError::CountMismatch {
            what: "nodes",
            announced: graph.node_count(),
            visited,
        });
    }
    out.flush()?;

    let mut out = csv::Writer::from_writer(edges);
    let mut header = vec!["Source", "Target", "Type", "Weight", "Kind"];
    if options.intervals {
        header.push("Interval");
    }
    header.extend(graph.edge_attributes().iter().map(|a| a.name.as_str()));
    out.write_record(&header).map_err(csv_error)?;
    let direction = if graph.directed() {
        "Directed"
    } else {
        "Undirected"
    };
    let mut visited = 0;
    graph.visit_edges(&mut |edge| {
        check_endpoints(visited, edge, graph.node_count())?;
        check_values(
            Element::Edge(visited),
            graph.edge_attributes(),
            &edge.values,
        )?;
        out.write_field(graph.node_id(edge.source))
            .map_err(csv_error)?;
        out.write_field(graph.node_id(edge.target))
            .map_err(csv_error)?;
        out.write_field(direction).map_err(csv_error)?;
        text.clear();
        push_f64(edge.weight, &mut text);
        out.write_field(&text).map_err(csv_error)?;
        out.write_field(edge.kind.as_deref().unwrap_or(""))
            .map_err(csv_error)?;
        if options.intervals {
            push_intervals(&edge.spells, &mut text);
            out.write_field(&text).map_err(csv_error)?;
        }
        end_row(&mut out, &edge.values, &mut text)?;
        visited += 1;
        Ok(())
    })?;
    if visited != graph.edge_count() {
        return Err(ExportError::CountMismatch {
            what: "edges",
            announced: graph.edge_count(),
            visited,
        });
    }
    out.flush()?;
    Ok(())
}

/// Writes the attribute values of a node or edge and ends its row.
fn end_row<W: Write>(
    out: &mut csv::Writer<W>,
    values: &[AttrValue],
    text: &mut String,
) -> Result<(), ExportError> {
    for value in values {
        text.clear();
        push_value(value, text);
        out.write_field(&*text).map_err(csv_error)?;
    }
    out.write_record(None::<&[u8]>).map_err(csv_error)
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

fn csv_error(e: csv::Error) -> ExportError {
    ExportError::Io(std::io::Error::other(e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
