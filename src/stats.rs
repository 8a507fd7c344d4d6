/*!
The summary of a collection and of how it was read: what `coordgraph stats` prints and what
`report.json` carries as its `input` section.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ingest::{FileReport, IngestReport, Skip, time::format_rfc3339};
use crate::model::{Collection, NO_TIME, Origin, PostKind};

/// Counts over a collection; `posts` counts its distinct records, embedded originals and posts
/// known only by reference are reported separately.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionStats {
    /// Distinct records.
    pub posts: u64,
    /// Records that are originals.
    pub originals: u64,
    /// Records that are retweets.
    pub retweets: u64,
    /// Records that are replies (and not quotes).
    pub replies: u64,
    /// Records that are quotes (a quote that replies counts here).
    pub quotes: u64,
    /// Posts seen in full only inside records (retweeted or quoted originals, expansions).
    pub embedded: u64,
    /// Posts known only by reference (id, maybe author).
    pub referenced_only: u64,
    /// Accounts that authored at least one record.
    pub accounts: u64,
    /// All accounts seen: authors, embedded authors, mentioned and replied-to accounts.
    pub accounts_seen: u64,
    /// Accounts with a profile.
    pub profiles: u64,
    /// Distinct hashtags (case-folded).
    pub hashtags: u64,
    /// Distinct normalised URLs.
    pub urls: u64,
    /// Distinct domains.
    pub domains: u64,
    /// Distinct generic objects (CSV).
    pub objects: u64,
    /// Records whose id repeated an earlier record.
    pub duplicates: u64,
    /// CSV rows that added objects to a post of an earlier row.
    pub merged_rows: u64,
    /// Records skipped.
    pub skipped: u64,
    /// Records skipped, by reason.
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first skipped records.
    pub skip_examples: Vec<Skip>,
    /// Time of the first record (RFC 3339), if any.
    pub first: Option<String>,
    /// Time of the last record (RFC 3339), if any.
    pub last: Option<String>,
    /// Per input file.
    pub files: Vec<FileReport>,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Seconds spent reading.
    pub seconds: f64,
    /// Decompressed megabytes (10^6 bytes) read per second.
    pub mb_per_s: f64,
    /// Records read per second.
    pub posts_per_s: f64,
    /// Bytes held in memory for the collection, texts excluded.
    pub memory_bytes: u64,
    /// Bytes of post text held.
    pub text_bytes: u64,
}

impl CollectionStats {
    /// Computes the summary.
    pub fn compute(c: &Collection, report: &IngestReport) -> Self {
        let p = &c.posts;
        let mut by_kind = [0u64; 4];
        let (mut embedded, mut stubs) = (0u64, 0u64);
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for i in 0..p.len() {
            match p.origin[i] {
                Origin::Record => {
                    by_kind[p.kind[i] as usize] += 1;
                    first = first.min(p.time_ms[i]);
                    last = last.max(p.time_ms[i]);
                }
                Origin::Embedded => embedded += 1,
                Origin::Stub => stubs += 1,
            }
        }
        let posts: u64 = by_kind.iter().sum();
        let accounts = c.accounts.records.iter().filter(|&&r| r > 0).count() as u64;
        let referenced = referenced_accounts(c);
        let seconds = report.elapsed.as_secs_f64();
        let rate = |x: f64| if seconds > 0.0 { x / seconds } else { 0.0 };
        let time = |ms: i64| (ms != NO_TIME && posts > 0).then(|| format_rfc3339(ms));
        CollectionStats {
            posts,
            originals: by_kind[PostKind::Original as usize],
            retweets: by_kind[PostKind::Retweet as usize],
            replies: by_kind[PostKind::Reply as usize],
            quotes: by_kind[PostKind::Quote as usize],
            embedded,
            referenced_only: stubs,
            accounts,
            accounts_seen: referenced,
            profiles: c.accounts.profiles.len() as u64,
            hashtags: c.hashtags.len() as u64,
            urls: c.urls.len() as u64,
            domains: c.domains.len() as u64,
            objects: c.objects.len() as u64,
            duplicates: report.duplicates,
            merged_rows: report.merged_rows,
            skipped: report.skipped_total(),
            skipped_by_reason: report
                .skipped
                .iter()
                .map(|(r, n)| (r.name().to_string(), *n))
                .collect(),
            skip_examples: report.examples.clone(),
            first: time(first),
            last: time(last),
            files: report.files.clone(),
            bytes: report.bytes,
            seconds,
            mb_per_s: rate(report.bytes as f64 / 1e6),
            posts_per_s: rate(posts as f64),
            memory_bytes: c.heap_bytes_without_text() as u64,
            text_bytes: p.text.len() as u64,
        }
    }
}

/// Accounts referenced by anything: authors of any post, mentioned accounts, profiles.
fn referenced_accounts(c: &Collection) -> u64 {
    let mut seen = vec![false; c.accounts.len()];
    for &a in &c.posts.author {
        if a != crate::model::NONE {
            seen[a as usize] = true;
        }
    }
    for e in &c.posts.entities {
        if e.kind() == crate::model::EntityKind::Mention {
            seen[e.id() as usize] = true;
        }
    }
    for (a, &p) in c.accounts.profile.iter().enumerate() {
        if p != crate::model::NONE {
            seen[a] = true;
        }
    }
    seen.iter().filter(|&&s| s).count() as u64
}
