/*!
The suspicion score of a cluster, which ranks clusters and flags them.

Each component is first mapped to `v_i ∈ [0, 1]`:

| component | `v_i` | weight |
|---|---|---|
| `coordination` | `clamp(log10(mean edge weight))`: 0 for edges of one object, 1 from ten | 1.0 |
| `synchrony` | `clamp((s − s₀) / (1 − s₀)) · clamp(z / 10)` for the synchronised share `s`, its null mean `s₀` and the z-score `z` | 2.0 |
| `automation` | `clamp((b − 0.15) / 0.35)` for the members' mean bot-likeness `b` | 1.5 |
| `dormancy` | the share of members dormant then reactivated | 1.0 |
| `creation` | `clamp((c − c₀) / (1 − c₀))` with `c = (k − 1) / (n − 1)` for `k` of the `n` members (with a known date) created in their densest window, and `c₀` the share of all accounts created then | 1.0 |

and `suspicion = Σ w_i v_i / Σ w_i`; the parts `w_i v_i / Σ w_i` add up to it. A cluster is
flagged when its suspicion is at least the threshold ([`DEFAULT_FLAG_THRESHOLD`]).

The z factor asks for evidence, not just a high share: three accounts that met twice within a
minute have a synchronised share of 1 but a z-score near 2, and a team that meets on hundreds
of posts has a z-score in the tens. Likewise a window always holds one creation date, so
creation counts the members created alongside another, `k − 1`.

**Core members.** Community detection also attaches accounts that touched the cluster once or
twice: an organic user who retweeted a bot's post twice within a minute of the bots. In a
dense collection such users can outnumber the team and meet many of its members, but each of
those ties rests on one or two objects, where the members of a team share tens. An account is
a *core* member when its number of neighbours inside the cluster is at least a quarter of the
median over the members, and its strength inside the cluster (the sum of the weights of those
edges) at least a quarter ([`CORE_SHARE`]) of the strength of the cluster's strongly tied
members (the 90th percentile, [`STRONGEST_QUANTILE`]); only the core members of a flagged
cluster are flagged accounts.

Why: synchrony weighs most because acting together within seconds, far more often than the
members' own timing explains, is the behaviour that defines coordination, and it is what tells
a bot net from a fan club (which retweets the same posts, but over hours). Coordination
strength (how many distinct objects a pair shares) separates a team from a chance encounter;
the members' bot-likeness, dormancy and batch creation say what kind of accounts they are,
each enough to raise a synchronised cluster over the threshold, none enough alone. Organic
accounts average a bot-likeness of about 0.15, automated teams 0.5 or more
(`scripts/signals_eval.sh`), hence the offset and span of `automation`.
*/

use crate::report::SuspicionParts;

/// The suspicion at or above which a cluster is flagged.
pub const DEFAULT_FLAG_THRESHOLD: f64 = 0.4;

/// A core member has at least this share of the cluster's median number of neighbours inside
/// the cluster, and of the strength of its strongly tied members.
pub const CORE_SHARE: f64 = 0.25;

/// The quantile of the members' strength inside the cluster that stands for its strongly tied
/// members: a core member has at least [`CORE_SHARE`] of it.
pub const STRONGEST_QUANTILE: f64 = 0.9;

/// z-score at which the synchrony of a cluster counts in full.
pub const FULL_SYNCHRONY_Z: f64 = 10.0;

/// The weights of the suspicion components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuspicionWeights {
    /// Coordination strength.
    pub coordination: f64,
    /// Synchrony against the null model.
    pub synchrony: f64,
    /// Mean bot-likeness.
    pub automation: f64,
    /// Dormancy then reactivation.
    pub dormancy: f64,
    /// Creation-date clustering.
    pub creation: f64,
}

impl Default for SuspicionWeights {
    fn default() -> Self {
        SuspicionWeights {
            coordination: 1.0,
            synchrony: 2.0,
            automation: 1.5,
            dormancy: 1.0,
            creation: 1.0,
        }
    }
}

/// What the suspicion of a cluster is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SuspicionInputs {
    /// Mean weight of the edges between members.
    pub mean_edge_weight: f64,
    /// Synchronised share of the members' actions on shared objects.
    pub synchronized_share: f64,
    /// Its mean under the null model.
    pub null_synchronized_share: f64,
    /// The synchrony z-score.
    pub synchrony_z: f64,
    /// Mean bot-likeness of the members.
    pub bot_score_mean: f64,
    /// Share of members dormant then reactivated.
    pub dormant_share: f64,
    /// Members with a known creation date.
    pub creation_members: u32,
    /// Of those, created in their densest creation window.
    pub creation_in_window: u32,
    /// Share of all accounts created in that window.
    pub creation_baseline: f64,
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

fn excess(share: f64, baseline: f64) -> f64 {
    if baseline >= 1.0 {
        0.0
    } else {
        clamp01((share - baseline) / (1.0 - baseline))
    }
}

/// The suspicion of a cluster and its parts; see the module docs.
pub fn suspicion(inputs: &SuspicionInputs, weights: &SuspicionWeights) -> (f64, SuspicionParts) {
    let values = [
        (
            weights.coordination,
            clamp01(inputs.mean_edge_weight.max(1.0).log10()),
        ),
        (
            weights.synchrony,
            excess(inputs.synchronized_share, inputs.null_synchronized_share)
                * clamp01(inputs.synchrony_z / FULL_SYNCHRONY_Z),
        ),
        (
            weights.automation,
            clamp01((inputs.bot_score_mean - 0.15) / 0.35),
        ),
        (weights.dormancy, clamp01(inputs.dormant_share)),
        (
            weights.creation,
            if inputs.creation_members >= 2 {
                excess(
                    f64::from(inputs.creation_in_window.saturating_sub(1))
                        / f64::from(inputs.creation_members - 1),
                    inputs.creation_baseline,
                )
            } else {
                0.0
            },
        ),
    ];
    let total: f64 = values.iter().map(|v| v.0.max(0.0)).sum();
    if total <= 0.0 {
        return (0.0, SuspicionParts::default());
    }
    let part = |i: usize| values[i].0.max(0.0) * values[i].1 / total;
    let parts = SuspicionParts {
        coordination: part(0),
        synchrony: part(1),
        automation: part(2),
        dormancy: part(3),
        creation: part(4),
    };
    let score =
        parts.coordination + parts.synchrony + parts.automation + parts.dormancy + parts.creation;
    (clamp01(score), parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_and_components_map_as_documented() {
        let inputs = SuspicionInputs {
            mean_edge_weight: 10.0,
            synchronized_share: 1.0,
            null_synchronized_share: 0.2,
            synchrony_z: 25.0,
            bot_score_mean: 0.5,
            dormant_share: 0.0,
            creation_members: 11,
            creation_in_window: 7,
            creation_baseline: 0.2,
        };
        let (score, parts) = suspicion(&inputs, &SuspicionWeights::default());
        // coordination 1, synchrony 1, automation 1, dormancy 0, creation (0.6 − 0.2) / 0.8
        // = 0.5: weights 6.5.
        let expected = (1.0 + 2.0 + 1.5 + 0.0 + 0.5) / 6.5;
        assert!((score - expected).abs() < 1e-12);
        let sum = parts.coordination
            + parts.synchrony
            + parts.automation
            + parts.dormancy
            + parts.creation;
        assert!((sum - score).abs() < 1e-12);
        assert!((parts.creation - 0.5 / 6.5).abs() < 1e-12);
    }

    #[test]
    fn a_cluster_at_chance_scores_nothing() {
        let inputs = SuspicionInputs {
            mean_edge_weight: 1.0,
            synchronized_share: 0.1,
            null_synchronized_share: 0.1,
            bot_score_mean: 0.1,
            ..Default::default()
        };
        assert_eq!(suspicion(&inputs, &SuspicionWeights::default()).0, 0.0);
    }
}
