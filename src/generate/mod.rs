//! Synthetic tweet collections with planted coordinated networks, and their ground truth.
//!
//! [`generate`] writes a collection modelled on the 2017 French presidential run-off and the
//! #MacronLeaks operation (Ferrara 2017): records from 2017-04-27 to 2017-05-07, plus the 2016
//! timelines of accounts that were active for the US election, went dormant, and woke up for
//! the leak. It also writes a ground-truth table `account_id,label,group` with one row per
//! account that authored a record. Same seed and scale, same bytes, whatever the thread count.
//!
//! # The organic population (label `organic`)
//! - `organic`: about 95,000 accounts per million records. Heavy-tailed activity (Pareto, so
//!   most post once or twice and a few post hundreds of times), mostly French (72 %), English
//!   (20 %, a third of them pro-Trump with `#MAGA` in their bio), and a few other languages.
//!   Originals follow the day's rhythm (Paris time) and the campaign's events (the debate of
//!   3 May, the leak on the evening of 5 May, the results of 7 May). Each original draws a
//!   cascade of retweets, replies and quotes whose size grows with its author's followers and a
//!   heavy-tailed draw: most get nothing, a few go viral. Reaction delays are human (log-normal,
//!   median about an hour); viral posts also get a fast wave, so organic pairs do co-retweet
//!   within 60 s by chance. Some use third-party clients (TweetDeck, Hootsuite, Buffer, IFTTT,
//!   even RoundTeam), some keep the default profile or image, some have digit-heavy handles, and
//!   some old accounts are quiet. Articles are shared with share buttons, so identical texts
//!   and links recur over hours.
//! - `organic_returning`: old, quiet accounts with a few 2016 posts and one or two posts in the
//!   campaign: a long gap but no burst (a hard negative for dormancy).
//! - `media`: French outlets, English mainstream and English alternative outlets (fictional
//!   names); many followers, so their posts go viral. Alternative outlets post the leak.
//! - `candidate`: the two run-off candidates (about nine posts a day each).
//! - `fan_club`: supporters who retweet nearly every post of their candidate, but with human
//!   delays (a minute to hours, median 40 min). They share the pattern "same posts, every time"
//!   with bots, not the speed: the hard negative of the study.
//!
//! # The planted networks (label `coordinated`)
//! - `fast_retweeters`: squads of about 80 bots; a few leaders post, and the rest retweet each
//!   post within seconds (median 6 s), from automation clients, with digit-heavy handles,
//!   default profiles, few followers and many friends; they also retweet the leak within
//!   seconds. Created in one batch per squad.
//! - `dormant_reactivated`: pro-Trump English accounts, created in batches in 2015–16, active
//!   from July to 9 November 2016 (their posts are in the collection), silent after, and
//!   woken up within an hour of the leak (5 May, 18:50 UTC) to post and retweet it in waves,
//!   each wave with a fresh link to the files: a gap of about six months, then a burst. Bios
//!   full of `#MAGA`.
//! - `copy_paste`: young French accounts (created March–April 2017) posting the same slogans
//!   within minutes of each other: exact copies, copies with a journalist tagged in front,
//!   copies in capitals, and near duplicates with a word swapped. Ordinary clients: the text,
//!   its timing and the young, batch-created accounts give them away.
//! - `hashtag_pushers`: teams that post different texts carrying the same rare hashtags
//!   (their own plus #MacronLeaks) and the burst's video link in synchronised bursts several
//!   times a day, from scheduling and automation clients.
//! - `retweet_ring`: follow-back rings (#TeamFollowBack) whose members retweet each other's
//!   posts within a minute or so; followers about equal to friends.
//!
//! Planted networks are a small minority of accounts (about 2.4 % at scale 1) and about a
//! sixth of records. Below scale 0.05 each network keeps a minimum size, so its share grows.
//!
//! # Records
//! Scale 1 is about 1,000,000 records (within a few per cent; the summary gives exact counts)
//! and about 100,000 accounts. Every retweeted, quoted or replied-to post is itself a record,
//! written before the posts that reference it: records are written in non-decreasing time
//! order (ties in increasing id order), and ids are snowflakes derived from the time, unique
//! and increasing. Memory holds the accounts, the scripted posts (planted networks, candidates,
//! the leak, with their cascades) and about a day and a half of organic posts, never the whole
//! collection: about 0.13 GB at scale 1 and 1.2 GB at scale 10, for 2.1 and 22.6 GB of v1.1
//! output.
//! Below scale 0.002 the minimum network sizes dominate and the collection stays near 2,000
//! records.

mod content;
mod organic;
mod render;
mod rng;
mod script;
mod time;
mod vocab;
mod world;

use std::io::Write;
use std::str::FromStr;

use rayon::prelude::*;
use serde::Serialize;

use content::Spec;
use time::{HOUR, SNOWFLAKE_EPOCH, utc_ms};
use world::World;

pub use time::iso;

/// First instant of the campaign period (2017-04-27T00:00Z).
pub const CAMPAIGN_START_MS: i64 = utc_ms(2017, 4, 27, 0, 0);
/// End of the campaign period, exclusive (2017-05-08T00:00Z).
pub const CAMPAIGN_END_MS: i64 = utc_ms(2017, 5, 8, 0, 0);
/// When the leak was posted (2017-05-05T18:50Z).
pub const LEAK_MS: i64 = utc_ms(2017, 5, 5, 18, 50);
/// Records per unit of scale.
pub const RECORDS_PER_SCALE: f64 = 1_000_000.0;

/// Output formats of the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Twitter API v1.1 tweet objects, one per line (`text`, `timestamp_ms`; retweets embed
    /// `retweeted_status`, quotes `quoted_status`).
    #[default]
    V11,
    /// Twitter API v2 response pages as twarc2 writes them, one per line: 100 records a page in
    /// `data` (in time order, oldest first), their authors, mentioned and referenced accounts in
    /// `includes.users`, and the posts they reference in `includes.tweets`.
    V2,
    /// The 8-column CSV of coordination-network-toolkit
    /// (`message_id,user_id,username,repost_id,reply_id,message,timestamp,urls`, unix seconds,
    /// space-separated expanded URLs). Retweets fill `repost_id`, replies `reply_id`; the table
    /// has no quote column, so a quote is a row of its own text whose `urls` start with the
    /// quoted post's permalink.
    Csv,
}

impl OutputFormat {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::V11 => "v11",
            OutputFormat::V2 => "v2",
            OutputFormat::Csv => "csv",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = GenerateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "v11" | "v1.1" | "v1" | "jsonl" => Ok(OutputFormat::V11),
            "v2" => Ok(OutputFormat::V2),
            "csv" => Ok(OutputFormat::Csv),
            _ => Err(GenerateError::UnknownFormat(s.to_owned())),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateOptions {
    /// The seed: same seed and scale, same output.
    pub seed: u64,
    /// Size: 1.0 is about a million records; between 0 (excluded) and 100.
    pub scale: f64,
    /// Output format of the collection.
    pub format: OutputFormat,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 42,
            scale: 1.0,
            format: OutputFormat::V11,
        }
    }
}

impl GenerateOptions {
    /// Largest accepted scale (a hundred million records).
    pub const MAX_SCALE: f64 = 100.0;

    /// Checks the options.
    pub fn validate(&self) -> Result<(), GenerateError> {
        if !(self.scale > 0.0 && self.scale <= Self::MAX_SCALE) {
            return Err(GenerateError::InvalidScale(self.scale));
        }
        Ok(())
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The scale is not in (0, 100].
    #[error("scale must be greater than 0 and at most 100 (1 is about a million records), got {0}")]
    InvalidScale(f64),
    /// An unknown output format name.
    #[error("unknown output format '{0}': use v11, v2 or csv")]
    UnknownFormat(String),
    /// Writing failed.
    #[error("could not write the generated collection: {0}")]
    Io(#[from] std::io::Error),
}

/// The account groups of a generated collection (the `group` column of the ground truth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Group {
    /// Ordinary users.
    Organic = 0,
    /// Old, quiet users with 2016 posts and a few campaign posts.
    OrganicReturning = 1,
    /// News outlets.
    Media = 2,
    /// The two candidates.
    Candidate = 3,
    /// Supporters who retweet their candidate with human delays.
    FanClub = 4,
    /// Bot squads retweeting their leaders within seconds.
    FastRetweeters = 5,
    /// 2016 accounts, dormant, reactivated for the leak.
    DormantReactivated = 6,
    /// Teams posting the same text.
    CopyPaste = 7,
    /// Teams pushing rare hashtags in bursts.
    HashtagPushers = 8,
    /// Follow-back rings retweeting each other.
    RetweetRing = 9,
}

impl Group {
    /// All groups, in order.
    pub const ALL: [Group; 10] = [
        Group::Organic,
        Group::OrganicReturning,
        Group::Media,
        Group::Candidate,
        Group::FanClub,
        Group::FastRetweeters,
        Group::DormantReactivated,
        Group::CopyPaste,
        Group::HashtagPushers,
        Group::RetweetRing,
    ];

    /// The name written in the ground truth.
    pub fn name(self) -> &'static str {
        match self {
            Group::Organic => "organic",
            Group::OrganicReturning => "organic_returning",
            Group::Media => "media",
            Group::Candidate => "candidate",
            Group::FanClub => "fan_club",
            Group::FastRetweeters => "fast_retweeters",
            Group::DormantReactivated => "dormant_reactivated",
            Group::CopyPaste => "copy_paste",
            Group::HashtagPushers => "hashtag_pushers",
            Group::RetweetRing => "retweet_ring",
        }
    }

    /// Whether the group is a planted coordinated network.
    pub fn is_coordinated(self) -> bool {
        self as u8 >= Group::FastRetweeters as u8
    }

    /// The label written in the ground truth: `coordinated` or `organic`.
    pub fn label(self) -> &'static str {
        if self.is_coordinated() {
            "coordinated"
        } else {
            "organic"
        }
    }
}

/// What an account writes about and how its bio reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Persona {
    FrCentre = 0,
    FrRight = 1,
    FrLeft = 2,
    FrNeutral = 3,
    EnNeutral = 4,
    EnMaga = 5,
    Other = 6,
}

impl Persona {
    pub(crate) fn from_bits(b: u8) -> Persona {
        match b {
            0 => Persona::FrCentre,
            1 => Persona::FrRight,
            2 => Persona::FrLeft,
            3 => Persona::FrNeutral,
            4 => Persona::EnNeutral,
            5 => Persona::EnMaga,
            _ => Persona::Other,
        }
    }
}

/// Accounts and records of one group, in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    /// The group name, as in the ground truth.
    pub group: &'static str,
    /// `coordinated` or `organic`.
    pub label: &'static str,
    /// Accounts of the group that authored at least one record.
    pub accounts: u64,
    /// Records they authored.
    pub posts: u64,
}

/// Exact counts of what was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerateSummary {
    /// The seed used.
    pub seed: u64,
    /// The scale used.
    pub scale: f64,
    /// The output format.
    pub format: OutputFormat,
    /// Records written.
    pub posts: u64,
    /// Records that are originals.
    pub originals: u64,
    /// Records that are retweets.
    pub retweets: u64,
    /// Records that are replies (and not quotes).
    pub replies: u64,
    /// Records that are quotes (including quotes that are also replies).
    pub quotes: u64,
    /// Distinct authors of records (= rows of the ground truth).
    pub accounts: u64,
    /// Authors labelled `coordinated`.
    pub coordinated_accounts: u64,
    /// Distinct hashtags (case-folded) in the records.
    pub hashtags: u64,
    /// Time of the first record (ms since the Unix epoch).
    pub first_ms: i64,
    /// Time of the last record (ms).
    pub last_ms: i64,
    /// Time of the first record, ISO 8601.
    pub first_time: String,
    /// Time of the last record, ISO 8601.
    pub last_time: String,
    /// Bytes of the collection written.
    pub bytes: u64,
    /// Per group: accounts and records.
    pub groups: Vec<GroupSummary>,
}

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Kind {
    Original,
    Retweet,
    Reply,
    Quote,
}

/// A post that others reference: always an original, always a record itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Root {
    pub(crate) time_ms: i64,
    pub(crate) id: u64,
    pub(crate) author: u32,
    pub(crate) spec: Spec,
}

/// One record to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    pub(crate) time_ms: i64,
    /// Final id for originals; [`Event::PENDING`] for reactions until they are written.
    pub(crate) id: u64,
    pub(crate) author: u32,
    pub(crate) kind: Kind,
    /// Own text (unused for retweets).
    pub(crate) spec: Spec,
    /// The retweeted, quoted or replied-to post.
    pub(crate) parent: Option<Root>,
}

impl Event {
    /// Placeholder id of a reaction before it is numbered.
    pub(crate) const PENDING: u64 = u64::MAX;
}

/// A snowflake id: time since Twitter's epoch above 22 low bits.
pub(crate) fn snowflake(time_ms: i64, low: u64) -> u64 {
    (((time_ms - SNOWFLAKE_EPOCH).max(0) as u64) << 22) | (low & 0x3F_FFFF)
}

/// Low bits of the ids of organic originals, planted or scripted originals, and reactions.
pub(crate) const LOW_SCRIPTED: u64 = 1 << 20;
pub(crate) const LOW_REACTION: u64 = 1 << 21;

/// Writes a synthetic collection to `tweets` and its ground truth to `truth`.
///
/// # Arguments
/// - `opts`: seed, scale and output format (see [`GenerateOptions`]).
/// - `tweets`: receives the collection, streamed in chunks.
/// - `truth`: receives `account_id,label,group` rows (header first), sorted by account id.
///
/// # Returns
/// The exact counts of what was written.
///
/// # Complexity
/// Time linear in the number of records; memory linear in the number of accounts and planted
/// posts plus about 36 hours of organic posts. Parallel over timeline slices and output
/// chunks; the bytes do not depend on the number of threads.
///
/// # Examples
/// ```
/// use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
/// let opts = GenerateOptions { seed: 7, scale: 0.002, format: OutputFormat::V11 };
/// let (mut tweets, mut truth) = (Vec::new(), Vec::new());
/// let summary = generate(&opts, &mut tweets, &mut truth).unwrap();
/// let lines = tweets.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
/// assert_eq!(summary.posts as usize, lines);
/// assert_eq!(summary.accounts as usize, truth.split(|&b| b == b'\n').count() - 2);
/// ```
pub fn generate(
    opts: &GenerateOptions,
    tweets: &mut dyn Write,
    truth: &mut dyn Write,
) -> Result<GenerateSummary, GenerateError> {
    opts.validate()?;
    let world = World::build(opts.seed, opts.scale);
    let script = script::plan(&world, opts.scale);
    let target = (opts.scale * RECORDS_PER_SCALE - script.len() as f64).max(0.0);
    let organic = organic::Organic::new(&world, target);
    let mut sink = render::Sink::new(&world, opts.format, tweets)?;

    let mut scripted = script.into_iter().peekable();
    // The 2016 timelines come first.
    let before: Vec<Event> =
        std::iter::from_fn(|| scripted.next_if(|e| e.time_ms < CAMPAIGN_START_MS)).collect();
    sink.push(before)?;

    let slices = organic.slices();
    let mut buckets: Vec<Vec<Event>> = vec![Vec::new(); slices];
    // Slices are generated a batch at a time in parallel; each is a pure function of the seed
    // and its number, and they are merged in slice order.
    const BATCH: usize = 8;
    for start in (0..slices).step_by(BATCH) {
        let end = (start + BATCH).min(slices);
        let generated: Vec<Vec<Event>> = (start..end)
            .into_par_iter()
            .map(|k| organic.slice(k))
            .collect();
        for events in generated {
            for e in events {
                let k = ((e.time_ms - CAMPAIGN_START_MS) / HOUR) as usize;
                buckets[k.min(slices - 1)].push(e);
            }
        }
        for (k, bucket) in buckets.iter_mut().enumerate().take(end).skip(start) {
            let mut events = std::mem::take(bucket);
            let slice_end = CAMPAIGN_START_MS + (k as i64 + 1) * HOUR;
            events.extend(std::iter::from_fn(|| {
                scripted.next_if(|e| e.time_ms < slice_end)
            }));
            sink.push(events)?;
        }
    }
    sink.push(scripted.collect())?;
    sink.finish(truth, opts)
}
