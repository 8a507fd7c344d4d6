/*!
The interaction graph of a collection as an [`ExportGraph`]: directed account → account edges,
one per kind (retweet, quote, reply, mention) and pair, so parallel edges of different kinds
stay apart in Gephi (`kind`, never GEXF's `type`). Nodes carry what the analysis found about
each account (cluster, flag, bot score) and are coloured like the coordination graph.
*/

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::atomic::write_atomically;
use super::palette::{cluster_color, size_by_score};
use super::{
    AttrType, AttrValue, AttributeDef, ExportEdge, ExportError, ExportGraph, ExportNode,
    GexfOptions, write_gexf,
};
use crate::graph::InteractionGraph;
use crate::model::{Collection, NO_TIME};
use crate::report::Report;

/// The file `analyze` writes the interaction graph to.
pub const INTERACTION_GEXF_FILE: &str = "interaction.gexf";

/// The interaction graph with the analysis' view of each account.
///
/// Nodes: every account with an interaction, in account order, with attributes `handle`,
/// `cluster`, `flagged` and `bot_score` (missing for accounts the report does not list), the
/// span of its records as a spell. Edges: one per (kind, source, target), weight = count, an
/// attribute `posts` (the same count) and the span of those interactions as a spell.
///
/// `O(A + E)` for `A` accounts and `E` edges; the records are built in parallel.
pub fn interaction_export(c: &Collection, g: &InteractionGraph, report: &Report) -> ExportGraph {
    let accounts: HashMap<&str, &crate::report::Account> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let flagged_rank: HashMap<u32, u32> = report
        .clusters
        .iter()
        .filter(|k| k.flagged)
        .map(|k| (k.id, k.rank))
        .collect();
    let ids = g.accounts();
    let nodes = ids
        .par_iter()
        .map(|&a| {
            let id = c.account_id(a).into_owned();
            let handle = c.accounts.handle(a).map(str::to_owned);
            let known = accounts.get(id.as_str());
            let cluster = known.and_then(|x| x.cluster);
            let rank = cluster
                .filter(|_| known.is_some_and(|x| x.flagged))
                .and_then(|k| flagged_rank.get(&k).copied());
            let (first, last) = (
                c.accounts.first_ms[a as usize],
                c.accounts.last_ms[a as usize],
            );
            ExportNode {
                label: handle.clone().unwrap_or_else(|| id.clone()),
                values: vec![
                    handle.map_or(AttrValue::Missing, AttrValue::Str),
                    cluster.map_or(AttrValue::Missing, |k| AttrValue::Int(i64::from(k))),
                    known.map_or(AttrValue::Missing, |x| AttrValue::Bool(x.flagged)),
                    known.map_or(AttrValue::Missing, |x| AttrValue::Float(x.bot_score)),
                ],
                color: Some(cluster_color(rank)),
                size: known.map(|x| size_by_score(x.bot_score)),
                cluster,
                spells: if first != NO_TIME && last != NO_TIME && first <= last {
                    vec![(first, last)]
                } else {
                    Vec::new()
                },
                id,
            }
        })
        .collect();
    let node = |a| ids.binary_search(&a).unwrap_or(0);
    let edges = g
        .edges
        .par_iter()
        .map(|e| ExportEdge {
            source: node(e.source),
            target: node(e.target),
            weight: f64::from(e.count),
            kind: Some(e.kind.name().to_owned()),
            values: vec![AttrValue::Int(i64::from(e.count))],
            spells: vec![(e.first_ms, e.last_ms)],
        })
        .collect();
    ExportGraph {
        directed: true,
        node_attributes: vec![
            AttributeDef::new("handle", AttrType::String),
            AttributeDef::new("cluster", AttrType::Integer),
            AttributeDef::new("flagged", AttrType::Boolean),
            AttributeDef::new("bot_score", AttrType::Double),
        ],
        edge_attributes: vec![AttributeDef::new("posts", AttrType::Long)],
        clusters: Vec::new(),
        nodes,
        edges,
    }
}

/// Writes the interaction graph as a dynamic GEXF (spells on nodes and edges) to `path`,
/// atomically.
pub fn write_interaction_gexf(
    c: &Collection,
    g: &InteractionGraph,
    report: &Report,
    path: &Path,
) -> Result<(), ExportError> {
    let graph = interaction_export(c, g, report);
    let options = GexfOptions {
        dynamic: true,
        description: Some(format!(
            "Interaction graph: account to account, one edge per kind (retweet, quote, reply, \
             mention) and pair, weight = count. {} accounts, {} edges.",
            graph.nodes.len(),
            graph.edges.len()
        )),
        ..GexfOptions::default()
    };
    write_atomically(path, |w| write_gexf(&graph, &options, w))
}
