/*!
How well a report's flagged accounts match a ground truth: precision, recall and F1 overall,
and per group of the truth (how many of each group were flagged, and how many were found
dormant then reactivated).

The truth is a CSV `account_id,label,group` (what `coordgraph generate` writes); accounts
whose label is the positive label (`coordinated`) should be flagged, the others not. Accounts
of the truth that the report does not list count as not flagged.
*/

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::report::Report;

/// The label of accounts that should be flagged, by default.
pub const DEFAULT_POSITIVE_LABEL: &str = "coordinated";

/// One account of the ground truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    /// Account id.
    pub account_id: String,
    /// Its label (`coordinated`, `organic`).
    pub label: String,
    /// Its group (`fast_retweeters`, `fan_club`, …).
    pub group: String,
}

/// Why a ground truth could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TruthError {
    /// Reading failed.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A row is not `account_id,label,group`.
    #[error("{path}:{line}: {reason}")]
    Row {
        /// The file.
        path: String,
        /// The line (1-based).
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Reads a truth CSV with a header naming `account_id`, `label` and `group` (in any order).
pub fn read_truth<R: Read>(input: R, name: &str) -> Result<Vec<TruthRow>, TruthError> {
    let row_error = |line: u64, reason: String| TruthError::Row {
        path: name.to_owned(),
        line,
        reason,
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = r
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .clone();
    let column = |wanted: &str| {
        header
            .iter()
            .position(|h| h.trim() == wanted)
            .ok_or_else(|| row_error(1, format!("no `{wanted}` column")))
    };
    let (id, label, group) = (column("account_id")?, column("label")?, column("group")?);
    let mut rows = Vec::new();
    for (i, record) in r.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| row_error(line, e.to_string()))?;
        let field = |k: usize| {
            record
                .get(k)
                .map(|s| s.trim().to_owned())
                .ok_or_else(|| row_error(line, format!("{} fields, too few", record.len())))
        };
        rows.push(TruthRow {
            account_id: field(id)?,
            label: field(label)?,
            group: field(group)?,
        });
    }
    Ok(rows)
}

/// Reads a truth CSV file.
pub fn read_truth_file(path: &Path) -> Result<Vec<TruthRow>, TruthError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| TruthError::Io {
        path: name.clone(),
        source,
    })?;
    read_truth(std::io::BufReader::new(file), &name)
}

/// Precision, recall and F1 of the flagged accounts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Flagged accounts with the positive label.
    pub true_positives: u64,
    /// Flagged accounts without it (including flagged accounts absent from the truth).
    pub false_positives: u64,
    /// Accounts with the positive label not flagged.
    pub false_negatives: u64,
    /// `tp / (tp + fp)`; 1 when nothing is flagged.
    pub precision: f64,
    /// `tp / (tp + fn)`; 1 when there is no positive.
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
}

impl Scores {
    fn new(tp: u64, fp: u64, fn_: u64) -> Scores {
        let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Scores {
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            precision,
            recall,
            f1,
        }
    }
}

/// One group of the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    /// The group.
    pub group: String,
    /// Its label.
    pub label: String,
    /// Accounts of the group.
    pub accounts: u64,
    /// Of those, flagged.
    pub flagged: u64,
    /// `flagged / accounts`: the recall of a positive group, the false-positive rate of a
    /// negative one.
    pub flagged_share: f64,
    /// Of those, found dormant then reactivated.
    pub dormant_reactivated: u64,
    /// Of those, in a reported cluster (flagged or not).
    pub clustered: u64,
}

/// The evaluation of a report against a truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The label that should be flagged.
    pub positive_label: String,
    /// Over all accounts.
    pub overall: Scores,
    /// Per group, in group order.
    pub groups: Vec<GroupScore>,
    /// Flagged accounts the truth does not know (counted as false positives).
    pub flagged_unknown: u64,
}

/// Compares the flagged accounts of `report` with `truth`.
///
/// `O(R + T)` for `R` report accounts and `T` truth rows.
pub fn evaluate(report: &Report, truth: &[TruthRow], positive_label: &str) -> Evaluation {
    let accounts: HashMap<&str, &crate::report::Account> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let known: HashMap<&str, &TruthRow> =
        truth.iter().map(|t| (t.account_id.as_str(), t)).collect();
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    let mut groups: BTreeMap<(&str, &str), GroupScore> = BTreeMap::new();
    for t in known.values() {
        let account = accounts.get(t.account_id.as_str());
        let flagged = account.is_some_and(|a| a.flagged);
        let positive = t.label == positive_label;
        match (positive, flagged) {
            (true, true) => tp += 1,
            (true, false) => fn_ += 1,
            (false, true) => fp += 1,
            (false, false) => {}
        }
        let g = groups
            .entry((t.group.as_str(), t.label.as_str()))
            .or_insert_with(|| GroupScore {
                group: t.group.clone(),
                label: t.label.clone(),
                accounts: 0,
                flagged: 0,
                flagged_share: 0.0,
                dormant_reactivated: 0,
                clustered: 0,
            });
        g.accounts += 1;
        g.flagged += u64::from(flagged);
        g.dormant_reactivated += u64::from(account.is_some_and(|a| a.dormant_reactivated));
        g.clustered += u64::from(account.is_some_and(|a| a.cluster.is_some()));
    }
    let flagged_unknown = report
        .accounts
        .iter()
        .filter(|a| a.flagged && !known.contains_key(a.id.as_str()))
        .count() as u64;
    fp += flagged_unknown;
    let groups = groups
        .into_values()
        .map(|mut g| {
            g.flagged_share = g.flagged as f64 / g.accounts.max(1) as f64;
            g
        })
        .collect();
    Evaluation {
        positive_label: positive_label.to_owned(),
        overall: Scores::new(tp, fp, fn_),
        groups,
        flagged_unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_hand() {
        let s = Scores::new(8, 2, 8);
        assert_eq!(s.precision, 0.8);
        assert_eq!(s.recall, 0.5);
        assert!((s.f1 - 2.0 * 0.8 * 0.5 / 1.3).abs() < 1e-12);
        assert_eq!(Scores::new(0, 0, 0).precision, 1.0);
    }

    #[test]
    fn truth_columns_in_any_order_and_bad_rows_named() {
        let rows = read_truth(&b"group,account_id,label\ng1,7,coordinated\n"[..], "t.csv").unwrap();
        assert_eq!(
            rows,
            [TruthRow {
                account_id: "7".into(),
                label: "coordinated".into(),
                group: "g1".into()
            }]
        );
        let err = read_truth(&b"account_id,label\n1,x\n"[..], "t.csv").unwrap_err();
        assert_eq!(err.to_string(), "t.csv:1: no `group` column");
        let err = read_truth(&b"account_id,label,group\n1,x\n"[..], "t.csv").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:2:"), "{err}");
    }
}
