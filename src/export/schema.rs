/*!
The standard attribute schemas of coordgraph's exported graphs, so that every output names and
types its columns the same way. The analysis fills [`super::ExportNode::values`] in the order
given here; the index constants in [`account`] and [`coaction`] name the positions.
*/

use super::model::{AttrType, AttributeDef};

/// Node attributes of an account, in order (see the constants in [`account`]).
pub const ACCOUNT_ATTRIBUTES: [(&str, AttrType); 13] = [
    ("handle", AttrType::String),
    ("name", AttrType::String),
    ("cluster", AttrType::Integer),
    ("rank", AttrType::Integer),
    ("suspicion", AttrType::Double),
    ("bot_score", AttrType::Double),
    ("dormant", AttrType::Boolean),
    ("followers", AttrType::Long),
    ("language", AttrType::String),
    ("created_at", AttrType::DateTime),
    ("first_seen", AttrType::DateTime),
    ("last_seen", AttrType::DateTime),
    ("bio_terms", AttrType::ListString),
];

/// Positions of the account attributes in [`ACCOUNT_ATTRIBUTES`].
pub mod account {
    /// Screen name.
    pub const HANDLE: usize = 0;
    /// Display name.
    pub const NAME: usize = 1;
    /// Cluster id.
    pub const CLUSTER: usize = 2;
    /// Rank of the account's cluster among flagged clusters (missing when not flagged).
    pub const RANK: usize = 3;
    /// Suspicion score of the account's cluster.
    pub const SUSPICION: usize = 4;
    /// Bot score of the account.
    pub const BOT_SCORE: usize = 5;
    /// Whether the account was dormant before the campaign.
    pub const DORMANT: usize = 6;
    /// Follower count.
    pub const FOLLOWERS: usize = 7;
    /// Profile or dominant post language.
    pub const LANGUAGE: usize = 8;
    /// Account creation time.
    pub const CREATED_AT: usize = 9;
    /// First post seen in the collection.
    pub const FIRST_SEEN: usize = 10;
    /// Last post seen in the collection.
    pub const LAST_SEEN: usize = 11;
    /// Salient terms of the bio.
    pub const BIO_TERMS: usize = 12;
}

/// Positions of the fixed co-action edge attributes after the per-layer weights (`layers` of
/// them): `coaction::LATENCY_MIN_S + layers` and so on.
pub mod coaction {
    /// Smallest delay between the two accounts' co-actions, seconds.
    pub const LATENCY_MIN_S: usize = 0;
    /// Median delay, seconds.
    pub const LATENCY_MEDIAN_S: usize = 1;
    /// Largest delay, seconds.
    pub const LATENCY_MAX_S: usize = 2;
    /// Number of co-actions behind the edge.
    pub const CO_ACTIONS: usize = 3;
}

/// The account node schema ([`ACCOUNT_ATTRIBUTES`]).
pub fn account_attributes() -> Vec<AttributeDef> {
    ACCOUNT_ATTRIBUTES
        .iter()
        .map(|&(name, ty)| AttributeDef::new(name, ty))
        .collect()
}

/// The co-action edge schema: one weight per layer (`w_<layer>`, e.g. `w_retweet`), then the
/// latency statistics and the co-action count (positions in [`coaction`], offset by the
/// number of layers).
pub fn coaction_edge_attributes(layers: &[&str]) -> Vec<AttributeDef> {
    let mut defs: Vec<AttributeDef> = layers
        .iter()
        .map(|layer| AttributeDef::new(format!("w_{layer}"), AttrType::Double))
        .collect();
    defs.extend([
        AttributeDef::new("latency_min_s", AttrType::Double),
        AttributeDef::new("latency_median_s", AttrType::Double),
        AttributeDef::new("latency_max_s", AttrType::Double),
        AttributeDef::new("co_actions", AttrType::Long),
    ]);
    defs
}

/// The interaction edge schema: the number of posts behind an edge of one kind.
pub fn interaction_edge_attributes() -> Vec<AttributeDef> {
    vec![AttributeDef::new("posts", AttrType::Long)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_the_schemas() {
        let a = account_attributes();
        assert_eq!(a[account::HANDLE].name, "handle");
        assert_eq!(a[account::BOT_SCORE].name, "bot_score");
        assert_eq!(a[account::BIO_TERMS].ty, AttrType::ListString);
        assert_eq!(a.len(), account::BIO_TERMS + 1);
        let e = coaction_edge_attributes(&["retweet", "hashtag"]);
        assert_eq!(e[1].name, "w_hashtag");
        assert_eq!(e[2 + coaction::LATENCY_MEDIAN_S].name, "latency_median_s");
        assert_eq!(e[2 + coaction::CO_ACTIONS].ty, AttrType::Long);
    }
}
