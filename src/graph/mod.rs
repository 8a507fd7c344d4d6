/*!
Interaction and co-action graphs: who acts on whom, and who acts on the same thing at the same
moment.

# Interaction graph
[`build_interaction_graph`] gives one directed, weighted layer per [`InteractionKind`]:
account → account for each retweet, quote, reply and mention, weight = count, with the first
and last time. Only records count; a retweet's mentions are the original author's and are not
counted; an account acting on itself (a self-reply thread) is not an interaction.

# Co-action graphs
[`build_co_action_graph`] runs one windowed pairing engine for every [`CoActionKind`].

**Definition.** Two *different* accounts co-act on object *o* when an action of each on *o*
falls within |Δt| ≤ W seconds of the other (inclusive). Times are kept in milliseconds and
compared in milliseconds: with W = 60, Δt = 60.000 s is in and Δt = 60.001 s is out. Missing or
empty objects never match (the collection never stores an empty hashtag, URL, object or text),
and an account never pairs with itself.

Each undirected edge (source < target, as account indices) carries:
- `weight`: by default the number of distinct objects on which the two accounts co-act
  ([`Weighting::Count`]); the same with crowded objects counting a share
  ([`Weighting::CrowdDiscounted`], below); or the TF-IDF cosine similarity of their account ×
  object rows ([`Weighting::TfIdfCosine`]);
- `pairs`: the number of co-action pairs, i.e. pairs of actions (one of each account, on the
  same object, within the window); two retweets each of *a* and *b* of one post within the
  window make one object and four pairs;
- `min_dt` and `median_dt` of |Δt| over those pairs (milliseconds in the library, seconds in
  the CSV; an even count takes the mean of the two middle values);
- `first` and `last`: the earliest and the latest time of an action taking part in a pair.

**Which posts are actions.** Only records (`posts.is_record(p)`) act; embedded originals and
stubs are only objects. Retweets act only in co-retweet, co-post and co-object: a retweet carries
the original's hashtags, links, mentions and text, which the retweeter did not choose, so it
counts as amplification (co-retweet), not as authoring (as in coordination-network-toolkit,
which also leaves retweets out of co-tweet, co-link and co-reply).

| kind | actions | object |
|---|---|---|
| co-retweet | retweets | the retweeted post |
| co-quote | quotes | the quoted post |
| co-reply | replies (and quotes that reply), not retweets | the post replied to |
| co-hashtag | non-retweets carrying the hashtag | the case-folded hashtag |
| co-url | non-retweets carrying the URL | the normalised URL |
| co-domain | non-retweets carrying a URL on the domain, or a domain column | the domain |
| co-mention | non-retweets mentioning the account | the mentioned account |
| co-text | non-retweets whose normalised text has ≥ `min_text_chars` characters | the normalised text |
| near-duplicate-text | as co-text | the near-duplicate cluster (below) |
| co-post | every record | one object: "any post" (the null baseline) |
| co-object | every record carrying the CSV object | the object |

A post counts once per object (a post naming two URLs on one domain is one co-domain action).

**Near-duplicate text.** Posts whose normalised texts (see [`crate::model::normalize_text`])
have word-token sets with Jaccard similarity ≥ `similarity_threshold` and which fall within
the window co-act. Candidates come from MinHash with LSH banding, never from a quadratic scan,
and every candidate is verified by the exact Jaccard of the token sets; see
`near_duplicate.rs` for parameters and recall. The object of a near-duplicate pair, for the
weight, is the cluster the two posts belong to: the connected component of the graph of
verified pairs.

**Filtering and weighting.** `min_participation` leaves out, before pairing, accounts with
fewer actions of the kind. Weights are computed, then edges with weight < `min_weight` are
dropped, then the [`Backbone`] is applied. [`Weighting::TfIdfCosine`] follows Pacheco et al.
2021 (<https://ojs.aaai.org/index.php/ICWSM/article/view/18075>): rows of the account × object
count matrix are weighted by sublinear tf (1 + ln tf) times smooth idf (ln((1 + N)/(1 + df)) +
1, N = accounts with an action), L2-normalised, and an edge's weight is the cosine of its two
rows over *all* their objects; the window decides which pairs become edges.

[`Weighting::CrowdDiscounted`] with crowd *K*: an object's *peak crowd* `c` is the most actions
on it within one window (any span of W seconds); each distinct object an edge rests on adds
`min(1, K / c)` to its weight. Two accounts among thousands retweeting a viral post in its first
minute, or posting a trending hashtag, have met by chance as much as by design; a team of
fifty acting on one post counts in full. This is what keeps the organic noise around viral
posts, which grows with the square of the crowd, from burying small teams. Near-duplicate
clusters take the peak crowd of their posts.

**Scale and the memory bound.** Actions are grouped by object with one parallel sort; each
object is swept in time order, pairing an action only with the later actions within W (a
sorted sweep, not all pairs). Objects are spread over rayon tasks, and one large object is
split into several tasks. One co-action pair takes 24 bytes until it is aggregated into its
edge (72 bytes), and no object materialises more than `max_pairs_per_object` pairs (default
10,000,000, about 240 MB): past the cap, the object's later actions in time order are no longer
paired, and a [`CapWarning`] names the object, its number of co-action pairs and how many were
not materialised. Each task's pairs are ordered once by ranges of source accounts and then stay
where they are: they are put in key order through one 8-byte word each (a unit of about 32,768
pairs at a time is copied in that order into a buffer of its thread), so peak memory is about
32 bytes × P, with P = Σ over objects of min(pairs, cap), plus 24 bytes per action and 72 bytes
per edge. [`PairedLayer::stream`] hands out the edges a unit at a time instead, each unit
sorted and aggregated only when its turn comes, so that an edge list written out (as
`coordgraph network` writes it, through [`EdgeCsvFormat`]) needs about 24 bytes × P plus 24
bytes per action, whatever the number of edges. The output is the same, byte for byte, for any
thread count: every aggregate is independent of the order in which pairs are produced.

Where only the edges of a least combined weight are wanted, as in `analyze`,
[`CoordinationGraph::build_filtered`] bounds the pairs instead: when the layers' in-window
pairs exceed its budget, it counts them per block of source accounts, groups the blocks into
ranges that fit, and sweeps every layer once per range, keeping only the pairs whose source
lies in the range; each range's layers are aggregated, combined and filtered before the next
one starts. Peak memory is then one range's pairs and layer edges plus the edges kept, and the
graph is the same as with one range. The kept edges are a [`CompactGraph`]: about 50 bytes per
edge, with the pairs, least |Δt| and time span of the edge table folded in, so no layer edge
outlives its range.

**The compact graph.** [`csr::Csr`] is the undirected weighted graph in compressed sparse row
form (u32 offsets and targets, f32 weights) that community detection and the other hot loops
run on.

**CooRTweet.** [`coortweet_compatible`] reproduces CooRTweet 2.1.3 (`detect_groups` +
`generate_coordinated_network`); see `coortweet.rs`.

The combined [`CoordinationGraph`] keeps one weight per layer on each edge and exposes a
petgraph [`petgraph::graph::UnGraph`] whose node weights are account indices.
*/

pub(crate) mod actions;
mod co_action;
mod coordination;
mod coortweet;
pub mod csr;
mod edges_csv;
mod interaction;
mod near_duplicate;
mod sweep;
mod weighting;

use std::fmt;
use std::str::FromStr;

pub(crate) use co_action::object_label;
pub use co_action::{
    CapWarning, CoActionEdge, CoActionGraph, CoActionStats, PairedLayer, StreamedGraph,
    build_co_action_graph,
};
pub use coordination::{CombinedEdge, CompactGraph, CoordinationGraph, FilteredGraph};
pub use coortweet::{CooRTweetEdge, CooRTweetNetwork, CooRTweetOptions, coortweet_compatible};
pub use edges_csv::{EdgeCsvColumns, EdgeCsvFormat, EdgeRecords, format_time_ms, write_edges_csv};
pub use interaction::{
    InteractionEdge, InteractionGraph, InteractionKind, build_interaction_graph,
};

/// What two accounts act on together; see the module docs for which posts count as actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoActionKind {
    /// Retweets of the same post.
    CoRetweet,
    /// Quotes of the same post.
    CoQuote,
    /// Replies to the same post.
    CoReply,
    /// Posts with the same hashtag.
    CoHashtag,
    /// Posts with the same URL.
    CoUrl,
    /// Posts linking to the same domain.
    CoDomain,
    /// Posts mentioning the same account.
    CoMention,
    /// Posts with the same normalised text.
    CoText,
    /// Posts with near-identical normalised texts (MinHash/LSH, verified by Jaccard).
    NearDuplicateText,
    /// Any two posts: the null baseline.
    CoPost,
    /// Posts naming the same generic object (a CSV object column).
    CoObject,
}

impl CoActionKind {
    /// Every kind, in a fixed order.
    pub const ALL: [CoActionKind; 11] = [
        CoActionKind::CoRetweet,
        CoActionKind::CoQuote,
        CoActionKind::CoReply,
        CoActionKind::CoHashtag,
        CoActionKind::CoUrl,
        CoActionKind::CoDomain,
        CoActionKind::CoMention,
        CoActionKind::CoText,
        CoActionKind::NearDuplicateText,
        CoActionKind::CoPost,
        CoActionKind::CoObject,
    ];

    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            CoActionKind::CoRetweet => "co-retweet",
            CoActionKind::CoQuote => "co-quote",
            CoActionKind::CoReply => "co-reply",
            CoActionKind::CoHashtag => "co-hashtag",
            CoActionKind::CoUrl => "co-url",
            CoActionKind::CoDomain => "co-domain",
            CoActionKind::CoMention => "co-mention",
            CoActionKind::CoText => "co-text",
            CoActionKind::NearDuplicateText => "near-duplicate-text",
            CoActionKind::CoPost => "co-post",
            CoActionKind::CoObject => "co-object",
        }
    }
}

impl fmt::Display for CoActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CoActionKind {
    type Err = GraphError;

    /// Accepts the names of [`CoActionKind::name`], with `_` for `-` and any case, and the
    /// coordination-network-toolkit names `co_tweet`, `co_link` and `co_similar_tweet`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase().replace('_', "-");
        let kind = match name.as_str() {
            "co-retweet" => CoActionKind::CoRetweet,
            "co-quote" => CoActionKind::CoQuote,
            "co-reply" => CoActionKind::CoReply,
            "co-hashtag" => CoActionKind::CoHashtag,
            "co-url" | "co-link" => CoActionKind::CoUrl,
            "co-domain" => CoActionKind::CoDomain,
            "co-mention" => CoActionKind::CoMention,
            "co-text" | "co-tweet" => CoActionKind::CoText,
            "near-duplicate-text" | "near-duplicate" | "co-similar-text" | "co-similar-tweet" => {
                CoActionKind::NearDuplicateText
            }
            "co-post" => CoActionKind::CoPost,
            "co-object" => CoActionKind::CoObject,
            _ => return Err(GraphError::UnknownKind(s.to_string())),
        };
        Ok(kind)
    }
}

/// How an edge's weight is computed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Weighting {
    /// The number of distinct objects on which the two accounts co-act.
    #[default]
    Count,
    /// Cosine similarity of the accounts' TF-IDF rows of the account × object matrix
    /// (Pacheco et al. 2021), computed for the pairs that co-act.
    TfIdfCosine,
    /// Distinct objects, each counting `min(1, crowd / c)` where `c`, the object's peak
    /// crowd, is the most actions on it within one window. A post that thousands retweet in
    /// its first minute, or a trending hashtag, is weak evidence that any two of them act in
    /// concert; an object a team of fifty acts on at once counts in full. With no object
    /// past `crowd`, this is [`Weighting::Count`].
    CrowdDiscounted {
        /// The largest peak crowd an object counts in full for (at least 1).
        crowd: u32,
    },
}

impl Weighting {
    /// What one object with peak crowd `peak` adds to the weight of an edge it supports:
    /// 1, or `crowd / peak` past the crowd ([`Weighting::CrowdDiscounted`]).
    pub fn object_share(self, peak: u64) -> f64 {
        match self {
            Weighting::CrowdDiscounted { crowd } if peak > u64::from(crowd) => {
                f64::from(crowd) / peak as f64
            }
            _ => 1.0,
        }
    }
}

/// Which edges to keep after weighting: a backbone of the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Backbone {
    /// Keep every edge.
    #[default]
    All,
    /// Keep the `ceil(f × edges)` heaviest edges, `0 < f ≤ 1` (ties broken by (source,
    /// target), so the cut is deterministic).
    TopFraction(f64),
    /// Keep an edge when it is among the `k` heaviest edges of either endpoint (Pacheco et
    /// al. keep each account's 100 nearest neighbours).
    TopKPerNode(usize),
}

/// Options of [`build_co_action_graph`].
#[derive(Debug, Clone, PartialEq)]
pub struct CoActionOptions {
    /// W: two actions co-act when |Δt| ≤ W seconds (inclusive, compared in milliseconds).
    pub window_secs: u32,
    /// Edges with a weight below this are dropped (0 keeps every co-action edge).
    pub min_weight: f64,
    /// Accounts with fewer actions of the kind are left out before pairing.
    pub min_participation: u32,
    /// Texts whose normalised form is shorter than this many characters are not actions of
    /// co-text and near-duplicate text.
    pub min_text_chars: usize,
    /// Near-duplicate text: the least Jaccard similarity of two posts' word-token sets.
    pub similarity_threshold: f64,
    /// How edges are weighted.
    pub weighting: Weighting,
    /// Which edges are kept after weighting and `min_weight`.
    pub backbone: Backbone,
    /// The most co-action pairs one object may materialise; see the module docs.
    pub max_pairs_per_object: u64,
}

impl Default for CoActionOptions {
    fn default() -> Self {
        CoActionOptions {
            window_secs: 60,
            min_weight: 0.0,
            min_participation: 1,
            min_text_chars: 10,
            similarity_threshold: 0.8,
            weighting: Weighting::Count,
            backbone: Backbone::All,
            max_pairs_per_object: 10_000_000,
        }
    }
}

/// The largest window: |Δt| in milliseconds must fit 32 bits.
pub const MAX_WINDOW_SECS: u32 = (u32::MAX / 1000) - 1;

impl CoActionOptions {
    /// Checks the options, so that building never fails half-way.
    pub fn validate(&self) -> Result<(), GraphError> {
        if self.window_secs > MAX_WINDOW_SECS {
            return Err(GraphError::WindowTooLarge(self.window_secs));
        }
        if !(self.similarity_threshold > 0.0 && self.similarity_threshold <= 1.0) {
            return Err(GraphError::InvalidThreshold(self.similarity_threshold));
        }
        if self.min_weight.is_nan() {
            return Err(GraphError::InvalidMinWeight);
        }
        if self.weighting == (Weighting::CrowdDiscounted { crowd: 0 }) {
            return Err(GraphError::InvalidCrowd);
        }
        match self.backbone {
            Backbone::TopFraction(f) if !(f > 0.0 && f <= 1.0) => Err(GraphError::InvalidBackbone(
                format!("top fraction {f} is not in (0, 1]"),
            )),
            Backbone::TopKPerNode(0) => Err(GraphError::InvalidBackbone(
                "top-k per node needs k ≥ 1".into(),
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn window_ms(&self) -> i64 {
        i64::from(self.window_secs) * 1000
    }
}

/// Errors of graph building: options that cannot be honoured.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GraphError {
    /// A co-action kind name that is not known.
    #[error(
        "unknown co-action kind '{0}'; expected one of co-retweet, co-quote, co-reply, \
         co-hashtag, co-url, co-domain, co-mention, co-text, near-duplicate-text, co-post, \
         co-object"
    )]
    UnknownKind(String),
    /// The window does not fit the millisecond arithmetic.
    #[error("window of {0} s is too large; the largest is {max} s", max = MAX_WINDOW_SECS)]
    WindowTooLarge(u32),
    /// A similarity threshold outside (0, 1].
    #[error("similarity threshold {0} is not in (0, 1]")]
    InvalidThreshold(f64),
    /// A minimum weight that is not a number.
    #[error("minimum weight is not a number")]
    InvalidMinWeight,
    /// A crowd-discounted weighting whose full crowd is 0.
    #[error("the crowd of crowd-discounted weighting must be at least 1")]
    InvalidCrowd,
    /// A backbone that keeps nothing.
    #[error("invalid backbone: {0}")]
    InvalidBackbone(String),
    /// A CooRTweet option out of range.
    #[error("invalid CooRTweet option: {0}")]
    InvalidCooRTweet(String),
    /// A layer multiplier list that does not match the layers.
    #[error("{layers} layers but {multipliers} layer multipliers")]
    LayerMismatch {
        /// Number of layers.
        layers: usize,
        /// Number of multipliers given.
        multipliers: usize,
    },
}

/// A seeded xorshift generator: random-looking test inputs without a dependency.
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_accept_peer_names() {
        for kind in CoActionKind::ALL {
            assert_eq!(kind.name().parse::<CoActionKind>(), Ok(kind));
        }
        assert_eq!("co_tweet".parse(), Ok(CoActionKind::CoText));
        assert_eq!("CO_LINK".parse(), Ok(CoActionKind::CoUrl));
        assert_eq!(
            "co_similar_tweet".parse(),
            Ok(CoActionKind::NearDuplicateText)
        );
        assert!("co-nothing".parse::<CoActionKind>().is_err());
    }

    #[test]
    fn options_are_validated() {
        assert_eq!(CoActionOptions::default().validate(), Ok(()));
        let bad = CoActionOptions {
            similarity_threshold: 1.5,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = CoActionOptions {
            backbone: Backbone::TopFraction(0.0),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = CoActionOptions {
            window_secs: u32::MAX,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
