//! Community detection end to end: Zachary's karate club, connectedness of Leiden communities
//! on random graphs, thread-count determinism, and quality against python-igraph on the
//! committed LFR fixtures (`tests/fixtures/lfr/`, reference from `scripts/community_quality.py`).

use coordgraph::community::{
    CommunityOptions, Method, Objective, Partition, ari, connected_components, detect_communities,
    modularity, nmi, read_edge_list, read_partition,
};
use coordgraph::graph::csr::Csr;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Zachary's karate club (0-based node ids) and the faction of each member after the split
/// (0: Mr. Hi, 1: the Officer), as in networkx's `karate_club_graph`.
fn karate_club() -> (Csr, Partition) {
    const EDGES: [(u32, u32); 78] = [
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (0, 5),
        (0, 6),
        (0, 7),
        (0, 8),
        (0, 10),
        (0, 11),
        (0, 12),
        (0, 13),
        (0, 17),
        (0, 19),
        (0, 21),
        (0, 31),
        (1, 2),
        (1, 3),
        (1, 7),
        (1, 13),
        (1, 17),
        (1, 19),
        (1, 21),
        (1, 30),
        (2, 3),
        (2, 7),
        (2, 8),
        (2, 9),
        (2, 13),
        (2, 27),
        (2, 28),
        (2, 32),
        (3, 7),
        (3, 12),
        (3, 13),
        (4, 6),
        (4, 10),
        (5, 6),
        (5, 10),
        (5, 16),
        (6, 16),
        (8, 30),
        (8, 32),
        (8, 33),
        (9, 33),
        (13, 33),
        (14, 32),
        (14, 33),
        (15, 32),
        (15, 33),
        (18, 32),
        (18, 33),
        (19, 33),
        (20, 32),
        (20, 33),
        (22, 32),
        (22, 33),
        (23, 25),
        (23, 27),
        (23, 29),
        (23, 32),
        (23, 33),
        (24, 25),
        (24, 27),
        (24, 31),
        (25, 31),
        (26, 29),
        (26, 33),
        (27, 33),
        (28, 31),
        (28, 33),
        (29, 32),
        (29, 33),
        (30, 32),
        (30, 33),
        (31, 32),
        (31, 33),
        (32, 33),
    ];
    const FACTION: [u32; 34] = [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1,
    ];
    let edges: Vec<(u32, u32, f32)> = EDGES.iter().map(|&(u, v)| (u, v, 1.0)).collect();
    (
        Csr::from_edges(34, &edges).unwrap(),
        Partition::from_labels(&FACTION),
    )
}

/// The share of nodes whose community's majority faction is their own.
fn majority_agreement(found: &Partition, truth: &Partition) -> f64 {
    let mut agree = 0;
    for members in found.communities() {
        let mut counts = vec![0usize; truth.community_count()];
        for &v in &members {
            counts[truth.community(v) as usize] += 1;
        }
        agree += counts.iter().max().copied().unwrap_or(0);
    }
    agree as f64 / found.node_count() as f64
}

fn options(method: Method, seed: u64) -> CommunityOptions {
    CommunityOptions {
        method,
        seed,
        ..CommunityOptions::default()
    }
}

#[test]
fn leiden_on_the_karate_club_reaches_the_best_known_modularity_within_factions() {
    let (graph, factions) = karate_club();
    for seed in 0..10 {
        let p = detect_communities(&graph, &options(Method::Leiden, seed)).unwrap();
        let q = modularity(&graph, &p, 1.0).unwrap();
        // 0.41979 is the optimum (Brandes et al. 2008); igraph's Leiden finds it too.
        assert!(q > 0.4150, "seed {seed}: Q = {q}");
        assert!((3..=4).contains(&p.community_count()), "seed {seed}: {p:?}");
        assert!(
            majority_agreement(&p, &factions) >= 0.9,
            "seed {seed}: {p:?}"
        );
    }
}

#[test]
fn louvain_on_the_karate_club_splits_along_factions() {
    let (graph, factions) = karate_club();
    let mut total = 0.0;
    for seed in 0..20 {
        let p = detect_communities(&graph, &options(Method::Louvain, seed)).unwrap();
        let q = modularity(&graph, &p, 1.0).unwrap();
        // Louvain can stop in poor local optima: igraph's multilevel ends between 0.392
        // and 0.4198 over 50 seeds; the mean is what matters.
        assert!(q > 0.38, "seed {seed}: Q = {q}");
        assert!(
            majority_agreement(&p, &factions) >= 0.9,
            "seed {seed}: {p:?}"
        );
        total += q;
    }
    assert!(total / 20.0 > 0.405, "mean Q = {}", total / 20.0);
}

#[test]
fn components_method_returns_connected_components() {
    let graph = Csr::from_edges(5, &[(0, 1, 1.0), (3, 4, 2.0)]).unwrap();
    let p = detect_communities(&graph, &options(Method::Components, 0)).unwrap();
    assert_eq!(p.membership(), &[0, 0, 1, 2, 2]);
    assert_eq!(p, connected_components(&graph));
}

/// A random weighted graph with a planted partition of uneven blocks, plus noise edges.
fn random_graph(rng: &mut ChaCha8Rng) -> (Csr, Vec<u32>) {
    let n = rng.random_range(10..400u32);
    let blocks = rng.random_range(1..=(n / 5).max(1));
    let block: Vec<u32> = (0..n).map(|_| rng.random_range(0..blocks)).collect();
    let p_in = rng.random_range(0.05..0.6);
    let p_out = rng.random_range(0.0..0.05);
    let mut edges = Vec::new();
    for u in 0..n {
        for v in u + 1..n {
            let p = if block[u as usize] == block[v as usize] {
                p_in
            } else {
                p_out
            };
            if rng.random_bool(p) {
                let w = if rng.random_bool(0.5) {
                    1.0
                } else {
                    rng.random_range(0.1..5.0)
                };
                edges.push((u, v, w));
            }
        }
    }
    (Csr::from_edges(n as usize, &edges).unwrap(), block)
}

/// Whether every community of `p` induces a connected subgraph of `graph`.
fn all_connected(graph: &Csr, p: &Partition) -> bool {
    let mut seen = vec![false; graph.node_count()];
    for members in p.communities() {
        let c = p.community(members[0]);
        let mut stack = vec![members[0]];
        seen[members[0] as usize] = true;
        let mut reached = 1;
        while let Some(v) = stack.pop() {
            for nb in graph.neighbors(v) {
                let u = nb.node as usize;
                if !seen[u] && p.community(nb.node) == c {
                    seen[u] = true;
                    reached += 1;
                    stack.push(nb.node);
                }
            }
        }
        if reached != members.len() {
            return false;
        }
    }
    true
}

#[test]
fn every_leiden_community_is_connected_on_random_graphs() {
    let mut rng = ChaCha8Rng::seed_from_u64(2019);
    for case in 0..300 {
        let (graph, _) = random_graph(&mut rng);
        let objective = if case % 3 == 0 {
            Objective::Cpm
        } else {
            Objective::Modularity
        };
        let resolution = match objective {
            Objective::Modularity => [0.5, 1.0, 2.0][case % 3],
            Objective::Cpm => rng.random_range(0.01..0.5),
        };
        let opts = CommunityOptions {
            objective,
            resolution,
            seed: case as u64,
            randomness: if case % 2 == 0 { 0.01 } else { 0.5 },
            ..CommunityOptions::default()
        };
        let p = detect_communities(&graph, &opts).unwrap();
        assert!(all_connected(&graph, &p), "case {case}: {opts:?}");
    }
}

#[test]
fn leiden_never_loses_to_louvain_by_much_and_recovers_planted_blocks() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut leiden_total, mut louvain_total) = (0.0, 0.0);
    for case in 0..40 {
        let (graph, block) = random_graph(&mut rng);
        let leiden = detect_communities(&graph, &options(Method::Leiden, case)).unwrap();
        let louvain = detect_communities(&graph, &options(Method::Louvain, case)).unwrap();
        leiden_total += modularity(&graph, &leiden, 1.0).unwrap();
        louvain_total += modularity(&graph, &louvain, 1.0).unwrap();
        let planted = Partition::from_labels(&block);
        let q_planted = modularity(&graph, &planted, 1.0).unwrap();
        let q_found = modularity(&graph, &leiden, 1.0).unwrap();
        // Leiden is a local optimiser, but should not miss a planted partition by much.
        assert!(
            q_found >= q_planted - 0.02,
            "case {case}: {q_found} < {q_planted}"
        );
    }
    assert!(
        leiden_total >= louvain_total - 1e-9,
        "{leiden_total} < {louvain_total}"
    );
}

#[test]
fn cpm_finds_cliques_joined_by_single_edges() {
    // Ten 6-cliques in a ring, joined by one edge each: CPM at γ = 0.5 keeps the cliques.
    let mut edges = Vec::new();
    for k in 0..10u32 {
        for i in 0..6 {
            for j in i + 1..6 {
                edges.push((6 * k + i, 6 * k + j, 1.0));
            }
        }
        edges.push((6 * k, (6 * k + 6) % 60 + 1, 1.0));
    }
    let graph = Csr::from_edges(60, &edges).unwrap();
    for method in [Method::Leiden, Method::Louvain] {
        let opts = CommunityOptions {
            method,
            objective: Objective::Cpm,
            resolution: 0.5,
            ..CommunityOptions::default()
        };
        let p = detect_communities(&graph, &opts).unwrap();
        let cliques = Partition::from_labels(&(0..60).map(|v| v / 6).collect::<Vec<_>>());
        assert_eq!(p, cliques, "{method:?}");
    }
}

#[test]
fn results_are_identical_for_any_thread_count() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // Big enough that local moving runs its batches in parallel.
    let n = 30_000u32;
    let mut edges = Vec::new();
    for u in 0..n {
        for _ in 0..8 {
            let v = if rng.random_bool(0.7) {
                (u / 50) * 50 + rng.random_range(0..50)
            } else {
                rng.random_range(0..n)
            };
            edges.push((u, v.min(n - 1), rng.random_range(0.5..2.0)));
        }
    }
    let graph = Csr::from_edges(n as usize, &edges).unwrap();
    for method in [Method::Leiden, Method::Louvain] {
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| detect_communities(&graph, &options(method, 5)).unwrap())
        };
        let one = run(1);
        assert!(
            one.community_count() > 100,
            "{method:?}: {}",
            one.community_count()
        );
        assert_eq!(one, run(2), "{method:?}");
        assert_eq!(one, run(3), "{method:?}");
        assert_ne!(
            one,
            detect_communities(&graph, &options(method, 6)).unwrap(),
            "{method:?}"
        );
    }
}

#[test]
fn invalid_options_are_errors() {
    let (graph, _) = karate_club();
    for resolution in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let opts = CommunityOptions {
            resolution,
            ..CommunityOptions::default()
        };
        assert!(detect_communities(&graph, &opts).is_err(), "{resolution}");
    }
    let opts = CommunityOptions {
        randomness: -0.1,
        ..CommunityOptions::default()
    };
    assert!(detect_communities(&graph, &opts).is_err());
}

#[test]
fn graphs_without_edges_give_singletons() {
    let graph = Csr::from_edges(3, &[]).unwrap();
    for method in [Method::Leiden, Method::Louvain, Method::Components] {
        let p = detect_communities(&graph, &options(method, 0)).unwrap();
        assert_eq!(p, Partition::singletons(3), "{method:?}");
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lfr")
        .join(name)
}

/// The LFR fixtures and python-igraph's mean modularity and NMI on each, per algorithm.
fn lfr_references() -> Vec<(String, serde_json::Value)> {
    let text = std::fs::read_to_string(fixture("reference.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fixtures = json["fixtures"].as_object().unwrap();
    assert_eq!(fixtures.len(), 6, "one fixture per mu in 0.1..=0.6");
    fixtures
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Runs `method` with seeds 0..10 on every LFR fixture and compares the mean modularity and
/// NMI with those of igraph's `reference` algorithm over its own ten seeds.
fn check_lfr(method: Method, reference: &str) {
    const SEEDS: u64 = 10;
    for (name, expected) in lfr_references() {
        let list = read_edge_list(&fixture(&format!("{name}.edges.csv.gz"))).unwrap();
        let truth = read_partition(&fixture(&format!("{name}.truth.csv.gz")), &list.names).unwrap();
        let (mut q, mut score, mut agreement) = (0.0, 0.0, 0.0);
        for seed in 0..SEEDS {
            let p = detect_communities(&list.graph, &options(method, seed)).unwrap();
            q += modularity(&list.graph, &p, 1.0).unwrap() / SEEDS as f64;
            score += nmi(&p, &truth).unwrap() / SEEDS as f64;
            agreement += ari(&p, &truth).unwrap() / SEEDS as f64;
        }
        let q_ref = expected[reference]["modularity"].as_f64().unwrap();
        let nmi_ref = expected[reference]["nmi"].as_f64().unwrap();
        println!(
            "{name} {method:?}: Q {q:.4} (igraph {reference} {q_ref:.4}), NMI {score:.4} \
             ({nmi_ref:.4}), ARI {agreement:.4}"
        );
        assert!(
            q >= q_ref - 0.005,
            "{name}: modularity {q} < {q_ref} - 0.005"
        );
        assert!(
            score >= nmi_ref - 0.005,
            "{name}: NMI {score} < {nmi_ref} - 0.005"
        );
    }
}

#[test]
fn leiden_matches_igraph_leiden_on_lfr_fixtures() {
    check_lfr(Method::Leiden, "leiden");
}

#[test]
fn louvain_matches_igraph_multilevel_on_lfr_fixtures() {
    check_lfr(Method::Louvain, "multilevel");
}
