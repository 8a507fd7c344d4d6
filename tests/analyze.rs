//! The analysis end to end: exact synchrony and evidence on a hand-made collection, planted
//! networks recovered on generated collections (precision and recall of flagged accounts, the
//! fan club left alone, dormant accounts found), the same bytes on any thread count, the CLI
//! with `evaluate`, and every shared dataset analysed without error.

use std::path::Path;

use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::evaluate::{DEFAULT_POSITIVE_LABEL, evaluate, read_truth};
use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};
use coordgraph::report::{EdgeRows, Report, parse_report};

use crate::tools::{networkx_read, validate_gexf};
use crate::util::{coordgraph, shared_data};

fn analyze_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &AnalyzeOptions,
) -> coordgraph::analyze::Analysis {
    let ingest = read_collection(&[Input::bytes(name, bytes)], &IngestOptions::default(), &())
        .expect("reads");
    let input = input_summary(&ingest.collection, &ingest.report, &[name.to_owned()]);
    analyze(&ingest.collection, input, options, &()).expect("analyses")
}

/// A v1.1 retweet of `original` (by `leader`) by `author` at `ms`.
fn retweet(id: u64, author: &str, ms: i64, original: u64, leader: &str) -> String {
    format!(
        r#"{{"id_str":"{id}","timestamp_ms":"{ms}","text":"RT","user":{{"id_str":"{author}","screen_name":"u{author}"}},"retweeted_status":{{"id_str":"{original}","timestamp_ms":"{}","text":"post {original} of the leader","user":{{"id_str":"{leader}","screen_name":"leader"}}}}}}"#,
        ms - 5_000
    )
}

#[test]
fn synchrony_and_evidence_of_a_hand_made_team() {
    // Three accounts retweet each of three posts 1 s apart (0, 1, 2 s after the first); a
    // fourth retweets the first post 30 minutes later.
    let t0 = 1_493_900_000_000i64;
    let mut lines = Vec::new();
    let mut id = 100;
    for (k, original) in [10u64, 11, 12].into_iter().enumerate() {
        let t = t0 + k as i64 * 3_600_000;
        for (j, author) in ["1", "2", "3"].into_iter().enumerate() {
            id += 1;
            lines.push(retweet(id, author, t + j as i64 * 1_000, original, "9"));
        }
    }
    lines.push(retweet(200, "4", t0 + 1_800_000, 10, "9"));
    let a = analyze_bytes(
        "team.jsonl",
        lines.join("\n").into_bytes(),
        &AnalyzeOptions::default(),
    );
    let r = &a.report;
    assert_eq!(r.summary.graph_accounts, 3);
    assert_eq!(r.summary.graph_edges, 3);
    assert_eq!(r.clusters.len(), 1);
    let k = &r.clusters[0];
    assert_eq!(k.members, ["1", "2", "3"]);
    assert_eq!((k.size, k.core_size, k.rank), (3, 3, 1));
    assert_eq!(k.coordination.edges, 3);
    assert_eq!(k.coordination.density, 1.0);
    assert_eq!(k.coordination.mean_weight, 3.0);
    let s = &k.synchrony;
    // Per post the pairs are 1 s, 1 s and 2 s apart: nine pairs.
    assert_eq!((s.actions, s.shared_objects, s.pairs), (9, 3, 9));
    assert_eq!(s.median_latency_s, Some(1.0));
    assert_eq!(s.p90_latency_s, Some(2.0));
    assert!((s.within_1s - 6.0 / 9.0).abs() < 1e-12);
    assert_eq!((s.within_10s, s.synchronized_share), (1.0, 1.0));
    assert_eq!(s.latency_histogram.upper_s.last(), Some(&60.0));
    assert_eq!(s.latency_histogram.observed[..2], [6, 3]);
    // The evidence names the posts and the tightest co-actions.
    let top = &k.evidence.top_objects[0];
    assert_eq!(
        (top.layer.as_str(), top.object.as_str()),
        ("co-retweet", "post 10")
    );
    assert_eq!(top.post_id.as_deref(), Some("10"));
    assert_eq!(top.text.as_deref(), Some("post 10 of the leader"));
    assert_eq!((top.accounts, top.actions, top.median_delay_s), (3, 3, 1.0));
    let tight = &k.evidence.tightest[0];
    assert_eq!(tight.dt_s, 1.0);
    assert_eq!((tight.source.as_str(), tight.target.as_str()), ("1", "2"));
    assert_eq!(tight.source_handle.as_deref(), Some("u1"));
    // Account 1 acts first on every post: it leads 2 pairs per post and follows none;
    // account 2 leads 1 and follows 1 per post, and account 3 only follows.
    let leaders: Vec<(&str, Option<&str>, u64, u64)> = k
        .evidence
        .leaders
        .iter()
        .map(|l| (l.account.as_str(), l.handle.as_deref(), l.led, l.followed))
        .collect();
    assert_eq!(leaders, [("1", Some("u1"), 6, 0)]);
    // The latecomer is not in the graph; every author is in the account table.
    assert_eq!(r.accounts.len(), 4);
    let late = r.accounts.iter().find(|x| x.id == "4").unwrap();
    assert_eq!((late.cluster, late.flagged), (None, false));
    // The saved graph has the three edges with their layer weights.
    assert_eq!(a.edges.edge_count(), 3);
    let mut weights = Vec::new();
    a.edges.layer_weights(0, &mut weights);
    assert_eq!(weights[0], 3.0);
    assert_eq!(a.edges.fields(0).pairs, 3);
    assert_eq!(a.edges.fields(0).min_dt_s, 1.0);
}

#[test]
fn an_empty_coordination_graph_says_why() {
    // Two accounts retweet the same two posts 1 s apart: one co-retweet edge of weight 2.
    let t0 = 1_493_900_000_000i64;
    let lines = [
        retweet(101, "1", t0, 10, "9"),
        retweet(102, "2", t0 + 1_000, 10, "9"),
        retweet(103, "1", t0 + 3_600_000, 11, "9"),
        retweet(104, "2", t0 + 3_601_000, 11, "9"),
    ];
    let bytes = lines.join("\n").into_bytes();
    let kept = analyze_bytes("pair.jsonl", bytes.clone(), &AnalyzeOptions::default());
    assert_eq!(kept.report.summary.graph_edges, 1);
    assert!(
        !kept
            .report
            .warnings
            .iter()
            .any(|w| w.contains("graph is empty"))
    );
    let options = AnalyzeOptions {
        min_edge_weight: 3.0,
        ..AnalyzeOptions::default()
    };
    let dropped = analyze_bytes("pair.jsonl", bytes, &options);
    assert_eq!(dropped.report.summary.graph_edges, 0);
    assert!(
        dropped.report.warnings.iter().any(|w| w.starts_with(
            "the coordination graph is empty: none of the 1 layer edge reaches the combined \
             weight 3"
        )),
        "{:?}",
        dropped.report.warnings
    );
}

fn generated(seed: u64, scale: f64) -> (Vec<u8>, Vec<u8>) {
    let (mut tweets, mut truth) = (Vec::new(), Vec::new());
    let options = GenerateOptions {
        seed,
        scale,
        format: OutputFormat::V11,
    };
    generate(&options, &mut tweets, &mut truth).expect("generates");
    (tweets, truth)
}

fn check_recovery(seed: u64, scale: f64) {
    let (tweets, truth) = generated(seed, scale);
    let a = analyze_bytes("g.jsonl", tweets, &AnalyzeOptions::default());
    let truth = read_truth(&truth[..], "truth.csv").expect("truth");
    let e = evaluate(&a.report, &truth, DEFAULT_POSITIVE_LABEL);
    let context = format!("seed {seed}, scale {scale}: {e:#?}");
    assert!(e.overall.precision >= 0.9, "{context}");
    assert!(e.overall.recall >= 0.9, "{context}");
    let group = |name: &str| e.groups.iter().find(|g| g.group == name).expect(name);
    // The fan club retweets like a bot net, but with human delays: not flagged.
    assert_eq!(group("fan_club").flagged, 0, "{context}");
    let dormant = group("dormant_reactivated");
    assert!(
        dormant.dormant_reactivated as f64 >= 0.9 * dormant.accounts as f64,
        "{context}"
    );
    // Every planted network is found, not just most accounts overall.
    for g in e.groups.iter().filter(|g| g.label == "coordinated") {
        assert!(g.flagged_share >= 0.9, "{}: {context}", g.group);
    }
}

#[test]
fn planted_networks_are_flagged_and_the_fan_club_is_not_seed_1() {
    check_recovery(1, 0.1);
}

#[test]
fn planted_networks_are_flagged_and_the_fan_club_is_not_seed_2() {
    check_recovery(2, 0.1);
}

#[test]
fn planted_networks_are_flagged_and_the_fan_club_is_not_small_sample() {
    check_recovery(42, 0.02);
}

fn report_bytes(report: &Report) -> Vec<u8> {
    serde_json::to_vec(report).expect("serialises")
}

#[test]
fn the_report_is_the_same_on_one_and_two_threads() {
    let (tweets, _) = generated(7, 0.03);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            let a = analyze_bytes("g.jsonl", tweets.clone(), &AnalyzeOptions::default());
            let mut edges = Vec::new();
            a.edges.write_csv(&mut edges).expect("csv");
            (report_bytes(&a.report), edges)
        })
    };
    let one = run(1);
    let two = run(2);
    assert!(
        one.0 == two.0,
        "report.json differs between 1 and 2 threads"
    );
    assert!(
        one.1 == two.1,
        "the edge table differs between 1 and 2 threads"
    );
    // And the report reads back as it was written.
    let back = parse_report(&one.0, "r.json").expect("reads back");
    assert!(
        report_bytes(&back) == one.0,
        "report.json does not read back as written"
    );
}

#[test]
fn a_report_of_another_version_is_refused_by_name() {
    let err = parse_report(br#"{"version": 2, "clusters": []}"#, "old.json").unwrap_err();
    assert_eq!(
        err.to_string(),
        "old.json: report version 2, but this program reads version 1"
    );
    let err = parse_report(b"{\"version\": 1}", "short.json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("short.json: not a coordgraph report"),
        "{err}"
    );
}

#[test]
fn cli_analyze_then_evaluate_on_the_shipped_sample() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.path().join("out");
    let assert = coordgraph()
        .arg("analyze")
        .arg(root.join("examples/data/macronleaks-sample.jsonl.gz"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout.contains("18786 records") || stdout.contains("18,786"),
        "{stdout}"
    );
    for file in [
        "report.json",
        "coordination-edges.csv",
        "report.html",
        "report.md",
        "coordination.gexf",
        "coordination-dynamic.gexf",
        "coordination.graphml",
        "nodes.csv",
        "edges.csv",
        "clusters/overview.dot",
        "interaction.gexf",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    // The interaction graph: valid GEXF 1.3, directed, parallel edges told apart by kind.
    validate_gexf(&out.join("interaction.gexf"));
    let xml = std::fs::read_to_string(out.join("interaction.gexf")).expect("interaction.gexf");
    let kinds: std::collections::BTreeSet<&str> = xml
        .split(" kind=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["mention", "quote", "reply", "retweet"]
    );
    let edges = xml.matches("<edge ").count() as u64;
    if let Some(g) = networkx_read("gexf", &out.join("interaction.gexf")) {
        assert_eq!(g["directed"], true);
        assert_eq!(g["multigraph"], true);
        assert_eq!(g["edges"].as_u64(), Some(edges));
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let assert = coordgraph()
        .args(["evaluate", "--json", "--truth"])
        .arg(root.join("examples/data/macronleaks-sample-truth.csv"))
        .arg(out.join("report.json"))
        .assert()
        .success();
    let e: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).expect("json");
    assert_eq!(e["overall"]["precision"], 1.0);
    assert_eq!(e["overall"]["recall"], 1.0);
    let bad = coordgraph()
        .args(["evaluate", "--truth"])
        .arg(out.join("report.json"))
        .arg(out.join("report.json"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(
        stderr.contains("report.json:1: no `account_id` column"),
        "{stderr}"
    );
}

/// Runs `analyze` on a shared dataset and returns the report.
fn analyze_shared(relative: &str, extra: &[&str]) -> Option<serde_json::Value> {
    let path = shared_data(relative)?;
    let dir = tempfile::tempdir().expect("temp dir");
    coordgraph()
        .arg("analyze")
        .arg(&path)
        .args(extra)
        .arg("--out")
        .arg(dir.path())
        .arg("-q")
        .assert()
        .success();
    let bytes = std::fs::read(dir.path().join("report.json")).expect("report.json");
    Some(serde_json::from_slice(&bytes).expect("json"))
}

#[test]
fn analyze_runs_on_every_shared_dataset() {
    let datasets: [(&str, &[&str]); 6] = [
        ("twitter-v1.1-rtweet", &[]),
        ("twitter-v2-academictwitter", &[]),
        ("twitter-v2-tidy-tweet", &[]),
        ("twitter-v2-twarc", &[]),
        (
            "coortweet-russian-coord-tweets",
            &["--columns", "coortweet"],
        ),
        ("coortweet-german-elections", &[]),
    ];
    for (dataset, extra) in datasets {
        let Some(report) = analyze_shared(dataset, extra) else {
            continue;
        };
        assert_eq!(report["version"], 1, "{dataset}");
        assert!(
            report["input"]["records"].as_u64().unwrap() > 0,
            "{dataset}"
        );
        let accounts = report["accounts"].as_array().unwrap().len() as u64;
        assert_eq!(
            accounts,
            report["input"]["accounts"].as_u64().unwrap(),
            "{dataset}"
        );
        // The CooRTweet dataset is shares of the same objects by coordinated accounts: the
        // co-object layer joins the default layers, and clusters come out.
        if dataset == "coortweet-russian-coord-tweets" {
            let networks = report["parameters"]["networks"].as_array().unwrap();
            assert!(networks.iter().any(|n| n == "co-object"), "{networks:?}");
            assert!(report["summary"]["clusters"].as_u64().unwrap() > 0);
        }
    }
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).expect("file"));
            }
        }
    }
    files
}

#[test]
fn cli_outputs_are_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/macronleaks-sample.jsonl.gz");
    let run = |threads: &str| {
        let out = dir.path().join(format!("out-{threads}"));
        coordgraph()
            .args(["--threads", threads, "analyze", "-q"])
            .arg(&sample)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        files_under(&out)
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    assert!(one.len() >= 15, "{:?}", one.keys());
    for (name, bytes) in &one {
        assert!(
            bytes == &two[name],
            "{name} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn hostile_profiles_stay_inert_text_from_input_to_html() {
    // Three accounts with hostile bios, names and handles retweet three posts together.
    let hostile_bio = r#"<script>alert(1)</script> \"><img src=x onerror=alert(2)> & #MAGA \u202e"#;
    let t0 = 1_493_900_000_000i64;
    let mut lines = String::new();
    for (k, post) in [10u64, 11, 12].into_iter().enumerate() {
        for (j, who) in ["1", "2", "3"].into_iter().enumerate() {
            let t = t0 + k as i64 * 3_600_000 + j as i64 * 1_000;
            lines.push_str(&format!(
                r#"{{"id_str":"{}","timestamp_ms":"{t}","text":"RT","user":{{"id_str":"{who}","screen_name":"<b>x{who}","name":"</td><script>n</script>","description":"{hostile_bio}","location":"<iframe>"}},"retweeted_status":{{"id_str":"{post}","timestamp_ms":"{}","text":"<script>post()</script>","user":{{"id_str":"9","screen_name":"leader"}}}}}}"#,
                100 + 3 * k + j,
                t - 5_000
            ));
            lines.push('\n');
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("hostile.jsonl");
    std::fs::write(&input, lines).expect("input");
    let out = dir.path().join("out");
    coordgraph()
        .arg("analyze")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        // Three accounts meeting on three posts are too little evidence to flag by default;
        // a low threshold flags them, so that the report shows their profiles.
        .args(["--flag-threshold", "0.1", "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    // The cluster is there, with its members' hostile text escaped.
    assert!(html.contains("chart-ranking"), "no ranking chart");
    assert!(html.contains("&lt;script&gt;"), "escaped text missing");
    for raw in ["<script", "<img", "<iframe", "<b>x", "</td><script"] {
        assert!(!html.contains(raw), "raw `{raw}` in report.html");
    }
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    for raw in ["<script", "<img", "<iframe"] {
        assert!(!md.contains(raw), "raw `{raw}` in report.md");
    }
    validate_gexf(&out.join("coordination.gexf"));
    validate_gexf(&out.join("interaction.gexf"));
}

/// The values of attribute `name` in the elements of `xml` that open with `tag`.
fn attribute_values<'a>(xml: &'a str, tag: &str, name: &str) -> Vec<&'a str> {
    let key = format!(" {name}=\"");
    xml.split(tag)
        .skip(1)
        .filter_map(|element| {
            let element = element.split('>').next()?;
            element.split(key.as_str()).nth(1)?.split('"').next()
        })
        .collect()
}

/// Past `--export-max-edges`, the interaction GEXF holds the edges between members of flagged
/// clusters, those of most posts when they are still too many, and the report says so.
#[test]
fn cli_interaction_graph_is_bounded_by_export_max_edges() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |limit: &str| {
        let out = dir.path().join(format!("out-{limit}"));
        coordgraph()
            .arg("analyze")
            .arg(root.join("examples/data/macronleaks-sample.jsonl.gz"))
            .args(["-q", "--export-max-edges", limit, "--out"])
            .arg(&out)
            .assert()
            .success();
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report"))
                .expect("report.json");
        let xml = std::fs::read_to_string(out.join("interaction.gexf")).expect("gexf");
        validate_gexf(&out.join("interaction.gexf"));
        (report, xml)
    };
    let (report, whole) = run("100000000");
    let total = whole.matches("<edge ").count();
    let members: std::collections::BTreeSet<String> = report["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .filter(|k| k["flagged"] == true)
        .flat_map(|k| k["members"].as_array().expect("members").iter())
        .map(|m| m.as_str().expect("id").to_owned())
        .collect();
    let between_members = |xml: &str| {
        let sources = attribute_values(xml, "<edge ", "source");
        let targets = attribute_values(xml, "<edge ", "target");
        assert_eq!(sources.len(), xml.matches("<edge ").count());
        sources
            .iter()
            .zip(&targets)
            .filter(|(s, t)| members.contains(**s) && members.contains(**t))
            .count()
    };
    let flagged = between_members(&whole);
    assert!(flagged > 20 && flagged < total, "{flagged} of {total}");
    let no_interaction_note = |report: &serde_json::Value| {
        !report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().unwrap_or("").contains("interaction graph"))
    };
    assert!(no_interaction_note(&report));

    // A limit between the flagged edges and all edges: exactly the flagged edges.
    let (report, cut) = run(&(flagged + 1).to_string());
    assert_eq!(cut.matches("<edge ").count(), flagged);
    assert_eq!(between_members(&cut), flagged);
    assert!(!no_interaction_note(&report));
    let nodes = attribute_values(&cut, "<node ", "id");
    assert!(nodes.iter().all(|n| members.contains(*n)), "{nodes:?}");

    // A limit below them: the edges of most posts among them.
    let (_, cut) = run("20");
    assert_eq!(cut.matches("<edge ").count(), 20);
    assert_eq!(between_members(&cut), 20);
    let least_kept = attribute_values(&cut, "<edge ", "weight")
        .iter()
        .map(|w| w.parse::<f64>().expect("weight"))
        .fold(f64::INFINITY, f64::min);
    let mut flagged_weights: Vec<f64> = attribute_values(&whole, "<edge ", "weight")
        .iter()
        .zip(attribute_values(&whole, "<edge ", "source"))
        .zip(attribute_values(&whole, "<edge ", "target"))
        .filter(|((_, s), t)| members.contains(*s) && members.contains(*t))
        .map(|((w, _), _)| w.parse::<f64>().expect("weight"))
        .collect();
    flagged_weights.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(least_kept, flagged_weights[19]);
}
