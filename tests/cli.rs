//! The command line: help, version, exit codes, messages and `stats --json`.

use predicates::prelude::*;

use crate::util::coordgraph;

#[test]
fn help_and_version_work() {
    coordgraph()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("stats"));
    coordgraph()
        .args(["stats", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--columns"));
    coordgraph()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn strict_mode_exits_2_naming_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    std::fs::write(&path, "{\"id_str\":\"1\",\"text\":\"x\",\"user\":{\"id_str\":\"2\"},\"created_at\":\"Fri May 05 18:00:00 +0000 2017\"}\n{oops\n").unwrap();
    coordgraph()
        .args(["stats", "--strict"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl:2: invalid_json"));
    // Without --strict the record is skipped, counted and shown.
    let out = coordgraph()
        .args(["stats", "--json"])
        .arg(&path)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["posts"], 1);
    assert_eq!(json["skipped"], 1);
    assert_eq!(json["skipped_by_reason"]["invalid_json"], 1);
    assert_eq!(json["skip_examples"][0]["line"], 2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("bad.jsonl:2: invalid_json"), "{stderr}");
}

#[test]
fn missing_files_are_errors_that_name_them() {
    coordgraph()
        .args(["stats", "no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::eq(
            "coordgraph: error: cannot read no/such/file.jsonl: \
             No such file or directory (os error 2)\n",
        ));
}

#[test]
fn stats_json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    std::fs::write(&path, "{\"id_str\":\"1\",\"text\":\"x\",\"user\":{\"id_str\":\"2\"},\"created_at\":\"Fri May 05 18:00:00 +0000 2017\"}\n").unwrap();
    let out = coordgraph()
        .args(["stats", "--json"])
        .arg(&path)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    for field in [
        "posts",
        "accounts",
        "originals",
        "retweets",
        "replies",
        "quotes",
        "duplicates",
        "skipped",
        "first",
        "last",
    ] {
        assert!(json.get(field).is_some(), "missing {field}");
    }
    assert_eq!(json["first"], "2017-05-05T18:00:00Z");
    // Piped output carries no progress bar.
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains('\r'));
}

#[test]
fn generate_then_stats_reports_exactly_the_generated_counts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [("g.jsonl.gz", "twitter-v1"), ("g2.jsonl", "twitter-v2")] {
        let out = dir.path().join(name);
        let summary = dir.path().join(format!("{name}.summary.json"));
        coordgraph()
            .args([
                "generate", "--scale", "0.005", "--seed", "7", "--format", format, "-q",
            ])
            .arg("-o")
            .arg(&out)
            .arg("--summary")
            .arg(&summary)
            .assert()
            .success();
        let want: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        let got = coordgraph()
            .args(["stats", "--json"])
            .arg(&out)
            .assert()
            .success();
        let got: serde_json::Value = serde_json::from_slice(&got.get_output().stdout).unwrap();
        for field in [
            "posts",
            "originals",
            "retweets",
            "replies",
            "quotes",
            "accounts",
            "hashtags",
        ] {
            assert_eq!(got[field], want[field], "{format}: {field}");
        }
        assert_eq!(got["skipped"], 0);
        assert_eq!(got["duplicates"], 0);
        assert_eq!(got["first"], want["first_time"]);
        assert_eq!(got["last"], want["last_time"]);
        // The truth file lists every author once.
        let truth = std::fs::read_to_string(
            dir.path()
                .join(format!("{}-truth.csv", name.split('.').next().unwrap())),
        )
        .unwrap();
        assert_eq!(
            truth.lines().count() as u64 - 1,
            want["accounts"].as_u64().unwrap()
        );
    }
}

#[test]
fn communities_read_the_edge_list_of_network_with_several_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("posts.csv");
    // a, b and c retweet post 1 within a minute; a and b also share #x.
    std::fs::write(
        &csv,
        "post_id,account_id,retweet_of,hashtags,timestamp\n\
         1,o,,,1000\n\
         2,a,1,x,1010\n\
         3,b,1,x,1020\n\
         4,c,1,,1030\n",
    )
    .unwrap();
    let edges = dir.path().join("edges.csv");
    coordgraph()
        .args(["-q", "network", "co-retweet,co-hashtag"])
        .arg(&csv)
        .args([
            "--columns",
            "post=post_id,account=account_id,retweet_of=retweet_of,hashtags=hashtags,time=timestamp",
        ])
        .arg("-o")
        .arg(&edges)
        .assert()
        .success();
    let written = std::fs::read_to_string(&edges).unwrap();
    assert!(
        written.starts_with("kind,source,target,weight,"),
        "{written}"
    );
    let partition = dir.path().join("partition.csv");
    coordgraph()
        .args(["-q", "communities", "--algorithm", "components"])
        .arg(&edges)
        .arg("-o")
        .arg(&partition)
        .assert()
        .success();
    let mut rows: Vec<String> = std::fs::read_to_string(&partition)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    rows.sort();
    assert_eq!(rows, vec!["a,0", "b,0", "c,0"]);
}

#[test]
fn network_warns_when_the_collection_has_no_actions_of_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("posts.csv");
    std::fs::write(&csv, "post_id,account_id,timestamp\n1,a,1000\n2,b,1010\n").unwrap();
    let edges = dir.path().join("edges.csv");
    coordgraph()
        .args(["network", "co-retweet,co-post"])
        .arg(&csv)
        .arg("-o")
        .arg(&edges)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: co-retweet: the collection has no actions of this kind",
        ))
        .stderr(predicate::str::contains("warning: co-post").not());
    let written = std::fs::read_to_string(&edges).unwrap();
    assert_eq!(
        written.lines().nth(1),
        Some("co-post,a,b,1,1,10,10,1970-01-01T00:16:40Z,1970-01-01T00:16:50Z")
    );
}

#[test]
fn coortweet_mode_refuses_the_columns_it_does_not_write() {
    coordgraph()
        .args([
            "network",
            "co-retweet",
            "--coortweet",
            "--leads",
            "no/such/file.csv",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--coortweet writes CooRTweet's columns; --leads and --handles do not apply",
        ));
}
