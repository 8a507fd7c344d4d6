/*!
The interaction graph: who retweets, quotes, replies to and mentions whom, as directed,
weighted layers of one multigraph.
*/

use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use crate::model::{AccountIx, Collection, EntityKind, NO_TIME, NONE, PostIx, PostKind};

/// The kinds of interaction, one layer each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum InteractionKind {
    /// The source retweeted a post of the target.
    Retweet = 0,
    /// The source quoted a post of the target.
    Quote = 1,
    /// The source replied to a post of the target.
    Reply = 2,
    /// The source mentioned the target in a post of its own (not a retweet).
    Mention = 3,
}

impl InteractionKind {
    /// Every kind, in layer order.
    pub const ALL: [InteractionKind; 4] = [
        InteractionKind::Retweet,
        InteractionKind::Quote,
        InteractionKind::Reply,
        InteractionKind::Mention,
    ];

    /// The lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            InteractionKind::Retweet => "retweet",
            InteractionKind::Quote => "quote",
            InteractionKind::Reply => "reply",
            InteractionKind::Mention => "mention",
        }
    }

    fn from_index(i: u8) -> Self {
        Self::ALL[i as usize]
    }
}

/// One directed interaction edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteractionEdge {
    /// The acting account.
    pub source: AccountIx,
    /// The account acted on.
    pub target: AccountIx,
    /// The layer.
    pub kind: InteractionKind,
    /// How many times.
    pub count: u32,
    /// Time of the first such interaction (ms).
    pub first_ms: i64,
    /// Time of the last such interaction (ms).
    pub last_ms: i64,
}

/// Interaction layers: edges sorted by (kind, source, target).
#[derive(Debug, Clone, Default)]
pub struct InteractionGraph {
    /// All edges, layer after layer, each layer sorted by (source, target).
    pub edges: Vec<InteractionEdge>,
    /// `edges[layer_start[k]..layer_start[k + 1]]` is the layer of `InteractionKind::ALL[k]`.
    layer_start: [usize; 5],
}

impl InteractionGraph {
    /// The edges of one layer, sorted by (source, target).
    pub fn layer(&self, kind: InteractionKind) -> &[InteractionEdge] {
        let k = kind as usize;
        &self.edges[self.layer_start[k]..self.layer_start[k + 1]]
    }

    /// The accounts that take part in an interaction, ascending.
    pub fn accounts(&self) -> Vec<AccountIx> {
        let mut accounts: Vec<AccountIx> = self
            .edges
            .iter()
            .flat_map(|e| [e.source, e.target])
            .collect();
        accounts.par_sort_unstable();
        accounts.dedup();
        accounts
    }

    /// The multigraph as a petgraph [`DiGraph`]: node weights are account indices (nodes in
    /// ascending account order), one edge per (kind, source, target).
    pub fn to_petgraph(&self) -> DiGraph<AccountIx, InteractionEdge> {
        let accounts = self.accounts();
        let mut g = DiGraph::with_capacity(accounts.len(), self.edges.len());
        for &a in &accounts {
            g.add_node(a);
        }
        let node = |a: AccountIx| NodeIndex::new(accounts.binary_search(&a).unwrap_or(0));
        for e in &self.edges {
            g.add_edge(node(e.source), node(e.target), *e);
        }
        g
    }
}

const CHUNK: usize = 1 << 14;

/// Builds the interaction layers of a collection.
///
/// Only records act. Retweet, quote and reply edges point to the author of the retweeted,
/// quoted or replied-to post, when it is known (a quote that replies makes both a quote and a
/// reply edge); mention edges come from the mentions of records that are not retweets (a
/// retweet's mentions are the original author's). An account acting on itself is left out.
///
/// # Complexity
/// O(I log I) for I interactions (one parallel sort).
pub fn build_interaction_graph(c: &Collection) -> InteractionGraph {
    let n = c.posts.len();
    let parts: Vec<Vec<(u8, u32, u32, i64)>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut out = Vec::new();
            for p in (chunk * CHUNK) as PostIx..((chunk + 1) * CHUNK).min(n) as PostIx {
                interactions_of(c, p, &mut out);
            }
            out
        })
        .collect();
    let mut all = parts.concat();
    all.par_sort_unstable();
    let mut edges: Vec<InteractionEdge> = Vec::new();
    for &(kind, source, target, t) in &all {
        match edges.last_mut() {
            Some(e) if e.kind as u8 == kind && e.source == source && e.target == target => {
                e.count += 1;
                e.last_ms = t;
            }
            _ => edges.push(InteractionEdge {
                source,
                target,
                kind: InteractionKind::from_index(kind),
                count: 1,
                first_ms: t,
                last_ms: t,
            }),
        }
    }
    let mut layer_start = [edges.len(); 5];
    for (k, start) in layer_start.iter_mut().enumerate().take(4) {
        *start = edges.partition_point(|e| (e.kind as usize) < k);
    }
    InteractionGraph { edges, layer_start }
}

fn interactions_of(c: &Collection, p: PostIx, out: &mut Vec<(u8, u32, u32, i64)>) {
    let posts = &c.posts;
    let i = p as usize;
    let source = posts.author[i];
    let t = posts.time_ms[i];
    if !posts.is_record(p) || source == NONE || t == NO_TIME {
        return;
    }
    let mut push = |kind: InteractionKind, target: u32| {
        if target != NONE && target != source {
            out.push((kind as u8, source, target, t));
        }
    };
    let author_of = |q: PostIx| {
        if q == NONE {
            NONE
        } else {
            posts.author[q as usize]
        }
    };
    match posts.kind[i] {
        PostKind::Retweet => push(InteractionKind::Retweet, author_of(posts.shared[i])),
        PostKind::Quote => push(InteractionKind::Quote, author_of(posts.shared[i])),
        _ => {}
    }
    if posts.kind[i] != PostKind::Retweet {
        push(InteractionKind::Reply, author_of(posts.reply_to[i]));
        for e in posts.entities(p) {
            if e.kind() == EntityKind::Mention {
                push(InteractionKind::Mention, e.id());
            }
        }
    }
}
