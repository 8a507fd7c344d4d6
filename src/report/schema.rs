/*!
The `report.json` schema, version 1: everything an analysis found, in a form that outlives the
run. `coordgraph report` and `coordgraph export` re-render outputs from it without recomputing.

Stability: fields are only ever added within a version; a renamed, removed or re-typed field
bumps [`REPORT_VERSION`]. Times are RFC 3339 strings in UTC with milliseconds
(`2017-05-05T18:50:00.000Z`), account and post ids are strings (ids exceed 2^53), durations
are seconds, shares are in `[0, 1]`. Optional values are `null` when unknown.
*/

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema version this crate writes and reads.
pub const REPORT_VERSION: u32 = 1;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Schema version ([`REPORT_VERSION`]).
    pub version: u32,
    /// Which program wrote it.
    pub generator: Generator,
    /// What was read.
    pub input: InputSummary,
    /// The options of the analysis.
    pub parameters: Parameters,
    /// Headline counts.
    pub summary: Summary,
    /// One entry per co-action layer of the coordination graph.
    pub layers: Vec<LayerSummary>,
    /// Clusters, most suspicious first (`rank` 1 first).
    pub clusters: Vec<Cluster>,
    /// Every account that authored a record, in the order the collection first saw them.
    pub accounts: Vec<Account>,
    /// Collection-wide distributions the clusters are compared with.
    pub baseline: Baseline,
    /// Warnings of the analysis (capped objects, empty layers), in a fixed order.
    pub warnings: Vec<String>,
}

/// The program that wrote a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// `coordgraph`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// The inputs as given.
    pub files: Vec<String>,
    /// Distinct records.
    pub records: u64,
    /// Records that are retweets.
    pub retweets: u64,
    /// Accounts that authored a record.
    pub accounts: u64,
    /// Distinct hashtags.
    pub hashtags: u64,
    /// Distinct URLs.
    pub urls: u64,
    /// Records whose id repeated an earlier record (counted once).
    pub duplicates: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Records skipped, by reason.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Time of the first record.
    pub first: Option<String>,
    /// Time of the last record.
    pub last: Option<String>,
}

/// The options of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// The co-action window W in seconds.
    pub window_secs: u32,
    /// The co-action layers combined into the coordination graph.
    pub networks: Vec<String>,
    /// Edges of the combined graph lighter than this were dropped.
    pub min_edge_weight: f64,
    /// Community detection: `leiden`, `louvain` or `components`.
    pub algorithm: String,
    /// Resolution γ.
    pub resolution: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Smallest cluster reported.
    pub min_cluster_size: u32,
    /// Suspicion at or above which a cluster is flagged.
    pub flag_threshold: f64,
    /// Shortest silence, in days, that counts as dormancy.
    pub dormant_days: u32,
    /// Near-duplicate text: the least Jaccard similarity.
    pub similarity: f64,
    /// Texts shorter than this (normalised characters) are not text actions.
    pub min_text_chars: u32,
    /// Objects whose peak crowd (most actions within one window) passes this count
    /// `crowd / peak` in the edge weights; 0: every object counts 1.
    #[serde(default)]
    pub crowd: u32,
}

/// Headline counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Accounts with at least one edge in the coordination graph.
    pub graph_accounts: u64,
    /// Edges of the coordination graph (after `min_edge_weight`).
    pub graph_edges: u64,
    /// Modularity of the partition.
    pub modularity: f64,
    /// Clusters reported (at least `min_cluster_size` members).
    pub clusters: u64,
    /// Of those, flagged.
    pub flagged_clusters: u64,
    /// Core members of flagged clusters: the flagged accounts.
    pub flagged_accounts: u64,
    /// Accounts dormant then reactivated, in any cluster or none.
    pub dormant_reactivated: u64,
    /// Accounts with a bot-likeness score of at least 0.5.
    pub bot_like: u64,
}

/// One co-action layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerSummary {
    /// Its kind (`co-retweet`, …).
    pub kind: String,
    /// Actions of the kind.
    pub actions: u64,
    /// Objects acted on.
    pub objects: u64,
    /// Co-action pairs materialised.
    pub pairs: u64,
    /// Co-action pairs not materialised because of the per-object cap.
    pub pairs_not_materialised: u64,
    /// Edges of the layer.
    pub edges: u64,
}

/// A cluster: a community of the coordination graph, with what makes it suspicious. Its
/// statistics, signals and evidence describe its core members (see `core_size`); "members"
/// below means core members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// The community number (stable for a given input and options).
    pub id: u32,
    /// 1 for the most suspicious.
    pub rank: u32,
    /// Suspicion at or above the threshold.
    pub flagged: bool,
    /// The suspicion score in `[0, 1]`.
    pub suspicion: f64,
    /// The parts of the suspicion score; they add up to it.
    pub suspicion_parts: SuspicionParts,
    /// Members.
    pub size: u32,
    /// Core members: those with at least a quarter of the median number of neighbours inside
    /// the cluster and a quarter of the strength of its strongly tied members (see
    /// [`crate::analyze::rank`]). Only they are flagged with the cluster.
    pub core_size: u32,
    /// Member account ids, in account order.
    pub members: Vec<String>,
    /// How strongly the core members are tied in the coordination graph.
    pub coordination: Coordination,
    /// When the core members act, against the null model.
    pub synchrony: Synchrony,
    /// What kind of accounts the core members are.
    pub signals: ClusterSignals,
    /// What an investigator can cite about the core members.
    pub evidence: Evidence,
}

/// The contributions of each component to a cluster's suspicion (weight × value ÷ total
/// weight).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SuspicionParts {
    /// Coordination strength.
    pub coordination: f64,
    /// Temporal synchrony.
    pub synchrony: f64,
    /// Bot-likeness of the members.
    pub automation: f64,
    /// Dormancy then reactivation.
    pub dormancy: f64,
    /// Creation-date clustering.
    pub creation: f64,
}

/// Ties inside a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coordination {
    /// Edges between members.
    pub edges: u64,
    /// `edges / (size · (size − 1) / 2)`.
    pub density: f64,
    /// Sum of the weights of those edges.
    pub total_weight: f64,
    /// Mean weight of those edges.
    pub mean_weight: f64,
    /// Share of the members' total edge weight that stays inside the cluster.
    pub internal_share: f64,
    /// Per layer: edges between members that the layer has, and their weight in it.
    pub layers: Vec<LayerShare>,
}

/// One layer's part of a cluster's ties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerShare {
    /// The layer kind.
    pub kind: String,
    /// Edges between members in the layer.
    pub edges: u64,
    /// Their weight in the layer.
    pub weight: f64,
}

/// When a cluster's members act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synchrony {
    /// The members' actions in the layers.
    pub actions: u64,
    /// Objects acted on by at least two members.
    pub shared_objects: u64,
    /// Co-action pairs between members (two members, one object, |Δt| ≤ W).
    pub pairs: u64,
    /// Median |Δt| of those pairs, in seconds.
    pub median_latency_s: Option<f64>,
    /// 90th percentile of |Δt|, in seconds.
    pub p90_latency_s: Option<f64>,
    /// Share of the pairs with |Δt| ≤ 1 s.
    pub within_1s: f64,
    /// Share with |Δt| ≤ 10 s.
    pub within_10s: f64,
    /// Share with |Δt| ≤ 60 s.
    pub within_60s: f64,
    /// Share of the members' actions on shared objects that have another member's action on
    /// the same object within W.
    pub synchronized_share: f64,
    /// The same share under the null model: each layer's action times shuffled among the
    /// members' actions on shared objects (mean over the rounds).
    pub null_synchronized_share: f64,
    /// Standard deviation of the null share over the rounds.
    pub null_sd: f64,
    /// `(synchronized_share − null mean) / max(null sd, 1 / actions)`.
    pub z: f64,
    /// Burstiness of the members' records, `(σ − μ) / (σ + μ)` of the gaps between
    /// consecutive records (−1 periodic, 0 Poisson, towards 1 bursty).
    pub burstiness: Option<f64>,
    /// Start of the hour with the most member records.
    pub busiest_hour: Option<String>,
    /// Share of the member records in that hour.
    pub busiest_hour_share: f64,
    /// Entropy of the hour-of-day profile (UTC), divided by log 24: 1 spread evenly around the
    /// clock, 0 all in one hour.
    pub hour_entropy: f64,
    /// Member records per hour of the day (UTC), 24 values.
    pub hour_of_day: Vec<u64>,
    /// Latencies of the co-action pairs against the null model, by bin.
    pub latency_histogram: LatencyHistogram,
    /// Member records over time.
    pub timeline: Timeline,
}

/// Co-action latencies by bin: observed pairs and the null model's mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Upper edges of the bins in seconds (the first bin starts at 0; inclusive).
    pub upper_s: Vec<f64>,
    /// Observed pairs per bin.
    pub observed: Vec<u64>,
    /// Mean pairs per bin under the null model.
    pub null: Vec<f64>,
}

/// Counts over equal time bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Start of the first bin.
    pub start: Option<String>,
    /// Bin width in seconds.
    pub bin_secs: u64,
    /// Records per bin.
    pub counts: Vec<u64>,
}

/// What kind of accounts a cluster holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSignals {
    /// Mean bot-likeness score of the members.
    pub bot_score_mean: f64,
    /// Share of members with a bot-likeness score of at least 0.5.
    pub bot_share: f64,
    /// Share of members dormant then reactivated.
    pub dormant_share: f64,
    /// Members dormant then reactivated.
    pub dormant_accounts: u64,
    /// Share of the members' records posted from automation clients.
    pub automation_share: f64,
    /// The members' main clients, most common first.
    pub clients: Vec<ValueShare>,
    /// Creation-date clustering of the members.
    pub creation: Option<CreationWindow>,
    /// Mean of the per-signal contributions to the members' bot-likeness scores.
    pub bot_parts: BTreeMap<String, f64>,
}

/// The densest window of the members' creation dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreationWindow {
    /// Members with a known creation date.
    pub members_with_date: u64,
    /// Start of the window.
    pub start: String,
    /// End of the window (exclusive).
    pub end: String,
    /// Members created in it.
    pub in_window: u64,
    /// `in_window / members_with_date`.
    pub share: f64,
    /// Share of all accounts created in the same window.
    pub baseline_share: f64,
    /// `share / baseline_share`.
    pub lift: f64,
    /// Binomial z-score against the baseline.
    pub z: f64,
}

/// A value shared by members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueShare {
    /// The value.
    pub value: String,
    /// Members with it.
    pub accounts: u64,
    /// Share of the members with any value.
    pub share: f64,
}

/// What an investigator can cite about a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The objects most members acted on together.
    pub top_objects: Vec<SharedObject>,
    /// The co-actions with the smallest |Δt|.
    pub tightest: Vec<TightCoAction>,
    /// The members who acted first in more co-action pairs with other members than they
    /// acted second, the largest lead (pairs led − pairs followed) first: whom the others
    /// follow.
    #[serde(default)]
    pub leaders: Vec<Leader>,
    /// The members' main languages.
    pub languages: Vec<ValueShare>,
    /// The members' declared locations.
    pub locations: Vec<ValueShare>,
    /// Bio terms over-represented among the members against all accounts (log-odds ratio
    /// with an informative Dirichlet prior, Monroe et al. 2008), highest z first.
    pub bio_terms: Vec<BioTerm>,
}

/// An object acted on by several members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedObject {
    /// The layer (`co-retweet`, `co-hashtag`, …).
    pub layer: String,
    /// The object as a person names it (`post 123`, `#tag`, a URL, a text excerpt).
    pub object: String,
    /// The post id when the object is a post.
    pub post_id: Option<String>,
    /// A text: the post's text, or the text itself for text layers.
    pub text: Option<String>,
    /// Members that acted on it.
    pub accounts: u64,
    /// Their actions on it.
    pub actions: u64,
    /// First member action.
    pub first: String,
    /// Last member action.
    pub last: String,
    /// Median delay of the members' actions after the first one, in seconds.
    pub median_delay_s: f64,
}

/// One co-action between two members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TightCoAction {
    /// The layer.
    pub layer: String,
    /// The object.
    pub object: String,
    /// One account id.
    pub source: String,
    /// The other account id.
    pub target: String,
    /// Its handle.
    pub source_handle: Option<String>,
    /// Its handle.
    pub target_handle: Option<String>,
    /// The source's post.
    pub source_post: String,
    /// The target's post.
    pub target_post: String,
    /// Time of the earlier action.
    pub time: String,
    /// |Δt| in seconds.
    pub dt_s: f64,
}

/// A member who acts before the others: its co-action pairs with other members (on the
/// shared objects of the cluster, |Δt| ≤ W) by who acted first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leader {
    /// The account id.
    pub account: String,
    /// Its handle.
    pub handle: Option<String>,
    /// Pairs in which it acted strictly first.
    pub led: u64,
    /// Pairs in which the other member acted strictly first.
    pub followed: u64,
}

impl Leader {
    /// The share of its ordered pairs in which it acted first (0 without any).
    pub fn led_share(&self) -> f64 {
        let ordered = self.led.saturating_add(self.followed);
        if ordered == 0 {
            0.0
        } else {
            self.led as f64 / ordered as f64
        }
    }
}

/// An over-represented bio term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BioTerm {
    /// The term (lower-cased word or hashtag).
    pub term: String,
    /// The log-odds z-score.
    pub z: f64,
    /// Members whose bio has it.
    pub in_cluster: u64,
    /// Accounts whose bio has it.
    pub overall: u64,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Handle, as last seen.
    pub handle: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The reported cluster it belongs to.
    pub cluster: Option<u32>,
    /// A core member of that cluster.
    pub core: bool,
    /// A core member of a flagged cluster.
    pub flagged: bool,
    /// Bot-likeness in `[0, 1]`.
    pub bot_score: f64,
    /// Dormant, then a burst of records.
    pub dormant_reactivated: bool,
    /// The signals behind the score and the flags.
    pub signals: AccountSignalsOut,
}

/// An account's signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSignalsOut {
    /// Records in the collection.
    pub records: u64,
    /// First record.
    pub first: Option<String>,
    /// Last record.
    pub last: Option<String>,
    /// The dormancy gap followed by a burst, if any.
    pub dormancy: Option<DormancyOut>,
    /// Longest gap between consecutive records, in days.
    pub longest_gap_days: f64,
    /// Most used client.
    pub main_client: Option<String>,
    /// Share of records from automation clients.
    pub automation_share: Option<f64>,
    /// Share of retweets among records.
    pub retweet_share: f64,
    /// Share of own texts another account also posted.
    pub duplicate_text_share: Option<f64>,
    /// Records per day of active span.
    pub records_per_day: f64,
    /// Followers.
    pub followers: Option<u64>,
    /// Friends (accounts followed).
    pub friends: Option<u64>,
    /// Account creation.
    pub created_at: Option<String>,
    /// Main language of the records.
    pub lang: Option<String>,
    /// Declared location.
    pub location: Option<String>,
    /// Bio.
    pub bio: Option<String>,
    /// Per-signal contributions to the bot-likeness score (they add up to it).
    pub bot_parts: BTreeMap<String, f64>,
    /// Share of the score's total weight whose signal was known.
    pub bot_coverage: f64,
}

/// A dormancy gap followed by a burst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DormancyOut {
    /// Last record before the gap.
    pub gap_start: String,
    /// First record after the gap.
    pub gap_end: String,
    /// Gap length in days.
    pub gap_days: f64,
    /// Records in the burst window after the gap.
    pub burst_records: u64,
}

/// Collection-wide distributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Accounts by bot-likeness score, in ten bins of 0.1 (the last includes 1).
    pub bot_score_histogram: Vec<u64>,
    /// Every record over time, on the same bins as the clusters' timelines.
    pub timeline: Timeline,
    /// Latencies over every edge of every layer, on the clusters' bins: each edge's median
    /// |Δt|, counted once per co-action pair of the edge (`null` is empty).
    pub latency_histogram: LatencyHistogram,
}
