/*!
The interaction graph of a collection as an [`ExportGraph`]: directed account → account edges,
one per kind (retweet, quote, reply, mention) and pair, so parallel edges of different kinds
stay apart in Gephi (`kind`, never GEXF's `type`). Nodes carry what the analysis found about
each account (cluster, flag, bot score) and are coloured like the coordination graph.
*/

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::analysis::keep_flagged_then_heaviest;
use super::atomic::write_atomically;
use super::palette::{cluster_color, size_by_score};
use super::{
    AttrType, AttrValue, AttributeDef, ExportEdge, ExportError, ExportGraph, ExportNode,
    ExportSelection, GexfOptions, write_gexf,
};
use crate::graph::{InteractionEdge, InteractionGraph};
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
    interaction_export_selected(c, g, report, None)
}

/// The edges of `g` the interaction GEXF holds when `g` has more than `max_edges`, chosen as
/// the coordination graph's files choose theirs ([`super::select_export_edges`]): those
/// between two members of flagged clusters, the most posts first if they are still too many.
/// `None` when every edge fits. Edge indices are into `g.edges`.
pub fn select_interaction_edges(
    c: &Collection,
    g: &InteractionGraph,
    report: &Report,
    max_edges: usize,
) -> Option<ExportSelection> {
    if g.edges.len() <= max_edges {
        return None;
    }
    let mut member = vec![false; c.accounts.len()];
    for id in report
        .clusters
        .iter()
        .filter(|k| k.flagged)
        .flat_map(|k| &k.members)
    {
        if let Some(a) = c.accounts.ids.get(id) {
            member[a as usize] = true;
        }
    }
    let edges = &g.edges;
    Some(keep_flagged_then_heaviest(
        edges.len(),
        max_edges,
        |i| member[edges[i].source as usize] && member[edges[i].target as usize],
        |i| f64::from(edges[i].count),
    ))
}

/// A sentence saying what the interaction GEXF holds, for the report's warnings.
pub fn interaction_selection_note(selection: &ExportSelection) -> String {
    format!(
        "the interaction graph has {} edges, more than the {} its GEXF holds \
         (--export-max-edges): {INTERACTION_GEXF_FILE} holds {}",
        selection.total,
        selection.max_edges,
        held_edges(selection)
    )
}

/// Which edges a cut interaction graph holds, in words.
fn held_edges(selection: &ExportSelection) -> String {
    let kept = selection.edges.len();
    if selection.flagged > kept {
        format!(
            "the {kept} edges of most posts among the {} between members of flagged clusters",
            selection.flagged
        )
    } else {
        format!("the {kept} edges between members of flagged clusters")
    }
}

/// [`interaction_export`] of the edges `selected` (ascending indices into `g.edges`) and the
/// accounts they join, or of the whole graph.
pub fn interaction_export_selected(
    c: &Collection,
    g: &InteractionGraph,
    report: &Report,
    selected: Option<&[u32]>,
) -> ExportGraph {
    let accounts: HashMap<&str, &crate::report::Account> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let flagged_rank: HashMap<u32, u32> = report
        .clusters
        .iter()
        .filter(|k| k.flagged)
        .map(|k| (k.id, k.rank))
        .collect();
    let ids = match selected {
        None => g.accounts(),
        Some(edges) => {
            let mut ids: Vec<_> = edges
                .iter()
                .flat_map(|&i| [g.edges[i as usize].source, g.edges[i as usize].target])
                .collect();
            ids.par_sort_unstable();
            ids.dedup();
            ids
        }
    };
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
    let edge = |e: &InteractionEdge| ExportEdge {
        source: node(e.source),
        target: node(e.target),
        weight: f64::from(e.count),
        kind: Some(e.kind.name().to_owned()),
        values: vec![AttrValue::Int(i64::from(e.count))],
        spells: vec![(e.first_ms, e.last_ms)],
    };
    let edges = match selected {
        Some(ixs) => ixs
            .par_iter()
            .map(|&i| edge(&g.edges[i as usize]))
            .collect(),
        None => g.edges.par_iter().map(edge).collect(),
    };
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
/// atomically: the edges `selection` keeps ([`select_interaction_edges`]), or all of them.
pub fn write_interaction_gexf(
    c: &Collection,
    g: &InteractionGraph,
    report: &Report,
    selection: Option<&ExportSelection>,
    path: &Path,
) -> Result<(), ExportError> {
    let graph = interaction_export_selected(c, g, report, selection.map(|s| s.edges.as_slice()));
    let held = selection.map_or(String::new(), |s| {
        format!(
            " Of its {} edges, the file holds {}.",
            s.total,
            held_edges(s)
        )
    });
    let options = GexfOptions {
        dynamic: true,
        description: Some(format!(
            "Interaction graph: account to account, one edge per kind (retweet, quote, reply, \
             mention) and pair, weight = count. {} accounts, {} edges.{held}",
            graph.nodes.len(),
            graph.edges.len()
        )),
        ..GexfOptions::default()
    };
    write_atomically(path, |w| write_gexf(&graph, &options, w))
}
