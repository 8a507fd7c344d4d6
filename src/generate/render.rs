/*!
Writing records: the three output formats, and the sink that numbers, counts and streams them.

Records arrive in time-ordered batches; the sink numbers reactions, keeps the exact counts of the
summary, and renders fixed-size chunks of records in parallel (a chunk is a v2 page of 100, or
1,000 lines), writing them in order. Chunk boundaries depend only on record counts, so the bytes
do not depend on the thread count. Strings go through `serde_json` for escaping.
*/

use std::io::Write;

use rayon::prelude::*;

use super::content::{self, Content};
use super::rng::{self, Domain};
use super::time::{write_iso, write_v11};
use super::vocab::{CLIENTS, LANGS};
use super::world::{ProfileText, World};
use super::{
    Event, GenerateError, GenerateOptions, GenerateSummary, Group, GroupSummary, Kind,
    LOW_REACTION, OutputFormat, Root, iso, snowflake,
};

/// Lines (or v2 pages of 100 records) per chunk, and chunks rendered per parallel round.
const LINES_PER_CHUNK: usize = 1_000;
const PAGE: usize = 100;
const CHUNKS_PER_ROUND: usize = 32;

/// Receives batches of records, numbers and counts them, and writes them.
pub(crate) struct Sink<'w, 'o> {
    world: &'w World,
    format: OutputFormat,
    out: &'o mut dyn Write,
    pending: Vec<Event>,
    posts_by_account: Vec<u32>,
    tag_used: Vec<bool>,
    counts: [u64; 4],
    first_ms: i64,
    last_ms: i64,
    bytes: u64,
    id_ms: i64,
    id_seq: u64,
}

impl<'w, 'o> Sink<'w, 'o> {
    pub(crate) fn new(
        world: &'w World,
        format: OutputFormat,
        out: &'o mut dyn Write,
    ) -> Result<Self, GenerateError> {
        let mut sink = Sink {
            world,
            format,
            out,
            pending: Vec::new(),
            posts_by_account: vec![0; world.accounts.len()],
            tag_used: vec![false; world.tags.len()],
            counts: [0; 4],
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            bytes: 0,
            id_ms: i64::MIN,
            id_seq: 0,
        };
        if format == OutputFormat::Csv {
            let header = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n";
            sink.out.write_all(header)?;
            sink.bytes += header.len() as u64;
        }
        Ok(sink)
    }

    /// Adds a batch of records whose times all follow those of earlier batches.
    pub(crate) fn push(&mut self, mut events: Vec<Event>) -> Result<(), GenerateError> {
        // Originals carry their final id; pending reactions sort after them within a
        // millisecond and are numbered here, in that order.
        events.sort_by_key(|e| (e.time_ms, e.id));
        for e in &mut events {
            if e.id == Event::PENDING {
                if e.time_ms != self.id_ms {
                    self.id_ms = e.time_ms;
                    self.id_seq = 0;
                }
                e.id = snowflake(e.time_ms, LOW_REACTION | self.id_seq);
                self.id_seq += 1;
            }
            self.counts[e.kind as usize] += 1;
            self.posts_by_account[e.author as usize] += 1;
            self.first_ms = self.first_ms.min(e.time_ms);
            self.last_ms = self.last_ms.max(e.time_ms);
        }
        self.pending.extend(events);
        let chunk = self.chunk_len();
        if self.pending.len() >= chunk * CHUNKS_PER_ROUND {
            let full = self.pending.len() / chunk * chunk;
            self.flush(full)?;
        }
        Ok(())
    }

    fn chunk_len(&self) -> usize {
        if self.format == OutputFormat::V2 {
            PAGE
        } else {
            LINES_PER_CHUNK
        }
    }

    /// Renders and writes the first `n` pending records.
    fn flush(&mut self, n: usize) -> Result<(), GenerateError> {
        let chunk = self.chunk_len();
        let (world, format) = (self.world, self.format);
        let rendered: Vec<(Vec<u8>, Vec<u32>)> = self.pending[..n]
            .par_chunks(chunk)
            .map(|events| render_chunk(world, format, events))
            .collect();
        for (bytes, tags) in rendered {
            self.out.write_all(&bytes)?;
            self.bytes += bytes.len() as u64;
            for t in tags {
                self.tag_used[t as usize] = true;
            }
        }
        self.pending.drain(..n);
        Ok(())
    }

    /// Writes what is left, then the ground truth, and returns the summary.
    pub(crate) fn finish(
        mut self,
        truth: &mut dyn Write,
        opts: &GenerateOptions,
    ) -> Result<GenerateSummary, GenerateError> {
        self.flush(self.pending.len())?;
        self.out.flush()?;
        let world = self.world;
        let mut rows: Vec<(u64, Group)> = Vec::new();
        let mut groups: Vec<GroupSummary> = Group::ALL
            .iter()
            .map(|g| GroupSummary {
                group: g.name(),
                label: g.label(),
                accounts: 0,
                posts: 0,
            })
            .collect();
        for (a, &n) in self.posts_by_account.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let acc = &world.accounts[a];
            rows.push((acc.id, acc.group));
            let g = &mut groups[acc.group as usize];
            g.accounts += 1;
            g.posts += u64::from(n);
        }
        rows.sort_unstable();
        let mut buf = Vec::with_capacity(rows.len() * 40 + 32);
        buf.extend_from_slice(b"account_id,label,group\n");
        for (id, g) in &rows {
            let mut ib = itoa::Buffer::new();
            buf.extend_from_slice(ib.format(*id).as_bytes());
            buf.push(b',');
            buf.extend_from_slice(g.label().as_bytes());
            buf.push(b',');
            buf.extend_from_slice(g.name().as_bytes());
            buf.push(b'\n');
        }
        truth.write_all(&buf)?;
        truth.flush()?;
        let posts: u64 = self.counts.iter().sum();
        let (first_ms, last_ms) = if posts == 0 {
            (0, 0)
        } else {
            (self.first_ms, self.last_ms)
        };
        Ok(GenerateSummary {
            seed: opts.seed,
            scale: opts.scale,
            format: opts.format,
            posts,
            originals: self.counts[Kind::Original as usize],
            retweets: self.counts[Kind::Retweet as usize],
            replies: self.counts[Kind::Reply as usize],
            quotes: self.counts[Kind::Quote as usize],
            accounts: rows.len() as u64,
            coordinated_accounts: rows.iter().filter(|(_, g)| g.is_coordinated()).count() as u64,
            hashtags: self.tag_used.iter().filter(|&&u| u).count() as u64,
            first_ms,
            last_ms,
            first_time: iso(first_ms),
            last_time: iso(last_ms),
            bytes: self.bytes,
            groups,
        })
    }
}

/// Per-thread buffers.
#[derive(Default)]
struct Scratch {
    own: Content,
    parent: Content,
    profile: ProfileText,
    tags: Vec<u32>,
}

fn render_chunk(world: &World, format: OutputFormat, events: &[Event]) -> (Vec<u8>, Vec<u32>) {
    let mut out = Vec::with_capacity(events.len() * 2_600);
    let mut s = Scratch::default();
    match format {
        OutputFormat::V11 => {
            for e in events {
                v11_record(world, e, &mut s, &mut out);
                out.push(b'\n');
            }
        }
        OutputFormat::V2 => v2_page(world, events, &mut s, &mut out),
        OutputFormat::Csv => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut out);
            for e in events {
                csv_record(world, e, &mut s, &mut w);
            }
            // Writing to a Vec cannot fail.
            let _ = w.flush();
        }
    }
    (out, s.tags)
}

fn num(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn num_str(out: &mut Vec<u8>, n: u64) {
    out.push(b'"');
    num(out, n);
    out.push(b'"');
}

fn string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn key(out: &mut Vec<u8>, k: &str) {
    out.push(b'"');
    out.extend_from_slice(k.as_bytes());
    out.extend_from_slice(b"\":");
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// The client of a post: mostly the account's main client.
fn client_of(world: &World, author: u32, id: u64) -> (&'static str, &'static str) {
    let acc = &world.accounts[author as usize];
    let c = if rng::mix(id).is_multiple_of(10) {
        acc.client2
    } else {
        acc.client
    };
    CLIENTS[usize::from(c)]
}

fn lang_code(lang: u8) -> &'static str {
    LANGS[usize::from(lang) % LANGS.len()]
}

fn image_url(world: &World, a: u32) -> String {
    let acc = &world.accounts[a as usize];
    let scheme = "https";
    if acc.default_image() {
        return format!(
            "{scheme}://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
        );
    }
    let k = rng::key(world.seed, Domain::Account, u64::from(a), 2);
    format!(
        "{scheme}://pbs.twimg.com/profile_images/{}/{:08x}_normal.jpg",
        700_000_000_000_000_000 + k % 150_000_000_000_000_000,
        (k >> 32) as u32
    )
}

/// A v1.1 user object.
fn v11_user(world: &World, a: u32, s: &mut Scratch, out: &mut Vec<u8>) {
    let acc = &world.accounts[a as usize];
    world.profile_text(a, &mut s.profile);
    out.extend_from_slice(b"{\"id\":");
    num(out, acc.id);
    out.extend_from_slice(b",\"id_str\":");
    num_str(out, acc.id);
    out.extend_from_slice(b",\"name\":");
    string(out, &s.profile.name);
    out.extend_from_slice(b",\"screen_name\":");
    string(out, world.handle(a));
    out.extend_from_slice(b",\"location\":");
    string(out, &s.profile.location);
    out.extend_from_slice(b",\"url\":null,\"description\":");
    string(out, &s.profile.bio);
    out.extend_from_slice(b",\"protected\":false,\"verified\":");
    boolean(out, acc.verified());
    out.extend_from_slice(b",\"followers_count\":");
    num(out, u64::from(acc.followers));
    out.extend_from_slice(b",\"friends_count\":");
    num(out, u64::from(acc.friends));
    out.extend_from_slice(b",\"listed_count\":");
    num(out, u64::from(acc.listed));
    out.extend_from_slice(b",\"favourites_count\":");
    num(
        out,
        rng::key(world.seed, Domain::Account, u64::from(a), 3) % (u64::from(acc.statuses) + 1),
    );
    out.extend_from_slice(b",\"statuses_count\":");
    num(out, u64::from(acc.statuses));
    out.extend_from_slice(b",\"created_at\":\"");
    write_v11(out, acc.created_ms);
    out.extend_from_slice(b"\",\"lang\":");
    string(out, lang_code(acc.lang));
    out.extend_from_slice(b",\"profile_image_url_https\":");
    string(out, &image_url(world, a));
    out.extend_from_slice(b",\"default_profile\":");
    boolean(out, acc.default_profile());
    out.extend_from_slice(b",\"default_profile_image\":");
    boolean(out, acc.default_image());
    out.push(b'}');
}

/// v1.1 entities of a content.
fn v11_entities(world: &World, c: &Content, profile: &mut ProfileText, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"hashtags\":[");
    for (i, t) in c.tags.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"text\":");
        string(out, &c.slice(t)[1..]);
        indices(out, t.c0, t.c1);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"urls\":[");
    for (i, l) in c.links.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"url\":");
        string(out, c.slice(&l.span));
        out.extend_from_slice(b",\"expanded_url\":");
        string(out, &l.expanded);
        out.extend_from_slice(b",\"display_url\":");
        string(out, &l.display);
        indices(out, l.span.c0, l.span.c1);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"user_mentions\":[");
    for (i, m) in c.mentions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let acc = &world.accounts[m.id as usize];
        world.profile_text(m.id, profile);
        out.extend_from_slice(b"{\"screen_name\":");
        string(out, world.handle(m.id));
        out.extend_from_slice(b",\"name\":");
        string(out, &profile.name);
        out.extend_from_slice(b",\"id\":");
        num(out, acc.id);
        out.extend_from_slice(b",\"id_str\":");
        num_str(out, acc.id);
        indices(out, m.c0, m.c1);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"symbols\":[]}");
}

fn indices(out: &mut Vec<u8>, a: u32, b: u32) {
    out.extend_from_slice(b",\"indices\":[");
    num(out, u64::from(a));
    out.push(b',');
    num(out, u64::from(b));
    out.push(b']');
}

/// Builds the text of a retweet (`RT @handle: ` + the original's text) into `c`, from the
/// original's content already in `c`.
fn retweet_text(world: &World, parent: &Root, c: &mut Content) {
    let handle = world.handle(parent.author);
    let prefix = format!("RT @{handle}: ");
    let chars = prefix.chars().count() as u32;
    c.shift_for_prefix(prefix.len() as u32, chars);
    c.text.insert_str(0, &prefix);
    c.mentions.insert(
        0,
        content::Span {
            id: parent.author,
            b0: 3,
            b1: 4 + handle.len() as u32,
            c0: 3,
            c1: 4 + handle.len() as u32,
        },
    );
}

/// Builds a reply's text (`@handle ` + its own) into `c`, from its own content already in `c`.
fn reply_text(world: &World, parent: &Root, c: &mut Content) {
    let handle = world.handle(parent.author);
    let prefix = format!("@{handle} ");
    c.shift_for_prefix(prefix.len() as u32, prefix.chars().count() as u32);
    c.text.insert_str(0, &prefix);
    let end = 1 + handle.len() as u32;
    c.mentions.insert(
        0,
        content::Span {
            id: parent.author,
            b0: 0,
            b1: end,
            c0: 0,
            c1: end,
        },
    );
}

/// The common head of a v1.1 status: time, ids, text, source.
fn v11_head(world: &World, id: u64, time_ms: i64, author: u32, text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"created_at\":\"");
    write_v11(out, time_ms);
    out.extend_from_slice(b"\",\"id\":");
    num(out, id);
    out.extend_from_slice(b",\"id_str\":");
    num_str(out, id);
    out.extend_from_slice(b",\"text\":");
    string(out, text);
    let (name, url) = client_of(world, author, id);
    // Client names and URLs need no escaping beyond the anchor's own quotes.
    out.extend_from_slice(b",\"source\":\"<a href=\\\"");
    out.extend_from_slice(url.as_bytes());
    out.extend_from_slice(b"\\\" rel=\\\"nofollow\\\">");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"</a>\"");
    out.extend_from_slice(b",\"truncated\":false,");
}

const NO_REPLY: &[u8] = b"\"in_reply_to_status_id\":null,\"in_reply_to_status_id_str\":null,\"in_reply_to_user_id\":null,\"in_reply_to_user_id_str\":null,\"in_reply_to_screen_name\":null,";

/// A root (an original) as a v1.1 object, embedded or not; its content goes to `s.parent`.
fn v11_original(world: &World, r: &Root, s: &mut Scratch, out: &mut Vec<u8>, record: bool) {
    content::build(&r.spec, r.id, world, &mut s.parent);
    let c = std::mem::take(&mut s.parent);
    v11_head(world, r.id, r.time_ms, r.author, &c.text, out);
    out.extend_from_slice(NO_REPLY);
    out.extend_from_slice(b"\"user\":");
    v11_user(world, r.author, s, out);
    out.extend_from_slice(b",\"place\":null,\"is_quote_status\":false,\"retweet_count\":0,\"favorite_count\":0,\"entities\":");
    v11_entities(world, &c, &mut s.profile, out);
    out.extend_from_slice(b",\"lang\":");
    string(out, lang_code(world.accounts[r.author as usize].lang));
    if record {
        out.extend_from_slice(b",\"timestamp_ms\":");
        num_str(out, r.time_ms as u64);
    }
    out.push(b'}');
    if record {
        s.tags.extend(c.tags.iter().map(|t| t.id));
    }
    s.parent = c;
}

fn v11_record(world: &World, e: &Event, s: &mut Scratch, out: &mut Vec<u8>) {
    let Some(parent) = e.parent else {
        v11_original(
            world,
            &Root {
                time_ms: e.time_ms,
                id: e.id,
                author: e.author,
                spec: e.spec,
            },
            s,
            out,
            true,
        );
        return;
    };
    let handle = world.handle(parent.author);
    match e.kind {
        Kind::Retweet => {
            content::build(&parent.spec, parent.id, world, &mut s.own);
            retweet_text(world, &parent, &mut s.own);
            let c = std::mem::take(&mut s.own);
            v11_head(world, e.id, e.time_ms, e.author, &c.text, out);
            out.extend_from_slice(NO_REPLY);
            out.extend_from_slice(b"\"user\":");
            v11_user(world, e.author, s, out);
            out.extend_from_slice(b",\"place\":null,\"retweeted_status\":");
            v11_original(world, &parent, s, out, false);
            out.extend_from_slice(b",\"is_quote_status\":false,\"retweet_count\":0,\"favorite_count\":0,\"entities\":");
            v11_entities(world, &c, &mut s.profile, out);
            out.extend_from_slice(b",\"lang\":");
            string(out, lang_code(world.accounts[parent.author as usize].lang));
            s.own = c;
        }
        Kind::Reply | Kind::Quote => {
            content::build(&e.spec, e.id, world, &mut s.own);
            if e.kind == Kind::Reply {
                reply_text(world, &parent, &mut s.own);
            }
            let c = std::mem::take(&mut s.own);
            v11_head(world, e.id, e.time_ms, e.author, &c.text, out);
            if e.kind == Kind::Reply {
                out.extend_from_slice(b"\"in_reply_to_status_id\":");
                num(out, parent.id);
                out.extend_from_slice(b",\"in_reply_to_status_id_str\":");
                num_str(out, parent.id);
                let pid = world.accounts[parent.author as usize].id;
                out.extend_from_slice(b",\"in_reply_to_user_id\":");
                num(out, pid);
                out.extend_from_slice(b",\"in_reply_to_user_id_str\":");
                num_str(out, pid);
                out.extend_from_slice(b",\"in_reply_to_screen_name\":");
                string(out, handle);
                out.push(b',');
            } else {
                out.extend_from_slice(NO_REPLY);
            }
            out.extend_from_slice(b"\"user\":");
            v11_user(world, e.author, s, out);
            out.extend_from_slice(b",\"place\":null");
            if e.kind == Kind::Quote {
                out.extend_from_slice(b",\"quoted_status_id\":");
                num(out, parent.id);
                out.extend_from_slice(b",\"quoted_status_id_str\":");
                num_str(out, parent.id);
                out.extend_from_slice(b",\"quoted_status\":");
                v11_original(world, &parent, s, out, false);
                let permalink = format!("https://twitter.com/{handle}/status/{}", parent.id);
                out.extend_from_slice(b",\"quoted_status_permalink\":{\"url\":");
                let code = rng::mix(e.id ^ 0x51) % 1_000_000_000;
                string(out, &format!("https://t.co/q{code:09}"));
                out.extend_from_slice(b",\"expanded\":");
                string(out, &permalink);
                out.extend_from_slice(b",\"display\":");
                let display: String = permalink["https://".len()..].chars().take(25).collect();
                string(out, &format!("{display}…"));
                out.extend_from_slice(b"},\"is_quote_status\":true");
            } else {
                out.extend_from_slice(b",\"is_quote_status\":false");
            }
            out.extend_from_slice(b",\"retweet_count\":0,\"favorite_count\":0,\"entities\":");
            v11_entities(world, &c, &mut s.profile, out);
            out.extend_from_slice(b",\"lang\":");
            string(out, lang_code(world.accounts[e.author as usize].lang));
            s.tags.extend(c.tags.iter().map(|t| t.id));
            s.own = c;
        }
        Kind::Original => {}
    }
    out.extend_from_slice(b",\"timestamp_ms\":");
    num_str(out, e.time_ms as u64);
    out.push(b'}');
}

/// A v2 user object.
fn v2_user(world: &World, a: u32, s: &mut Scratch, out: &mut Vec<u8>) {
    let acc = &world.accounts[a as usize];
    world.profile_text(a, &mut s.profile);
    out.extend_from_slice(b"{\"id\":");
    num_str(out, acc.id);
    out.extend_from_slice(b",\"username\":");
    string(out, world.handle(a));
    out.extend_from_slice(b",\"name\":");
    string(out, &s.profile.name);
    out.extend_from_slice(b",\"description\":");
    string(out, &s.profile.bio);
    out.extend_from_slice(b",\"location\":");
    string(out, &s.profile.location);
    out.extend_from_slice(b",\"created_at\":\"");
    write_iso(out, acc.created_ms);
    out.extend_from_slice(b"\",\"public_metrics\":{\"followers_count\":");
    num(out, u64::from(acc.followers));
    out.extend_from_slice(b",\"following_count\":");
    num(out, u64::from(acc.friends));
    out.extend_from_slice(b",\"tweet_count\":");
    num(out, u64::from(acc.statuses));
    out.extend_from_slice(b",\"listed_count\":");
    num(out, u64::from(acc.listed));
    out.extend_from_slice(b"},\"verified\":");
    boolean(out, acc.verified());
    out.extend_from_slice(b",\"protected\":false,\"url\":\"\",\"profile_image_url\":");
    string(out, &image_url(world, a));
    out.push(b'}');
}

/// v2 entities of a content, or nothing when it has none.
fn v2_entities(world: &World, c: &Content, out: &mut Vec<u8>) {
    if c.tags.is_empty() && c.links.is_empty() && c.mentions.is_empty() {
        return;
    }
    out.extend_from_slice(b",\"entities\":{");
    let mut first = true;
    let mut open = |out: &mut Vec<u8>, name: &str| {
        if !first {
            out.push(b',');
        }
        first = false;
        key(out, name);
        out.push(b'[');
    };
    if !c.tags.is_empty() {
        open(out, "hashtags");
        for (i, t) in c.tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            start_end(out, t.c0, t.c1);
            out.extend_from_slice(b",\"tag\":");
            string(out, &c.slice(t)[1..]);
            out.push(b'}');
        }
        out.push(b']');
    }
    if !c.mentions.is_empty() {
        open(out, "mentions");
        for (i, m) in c.mentions.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            start_end(out, m.c0, m.c1);
            out.extend_from_slice(b",\"username\":");
            string(out, world.handle(m.id));
            out.extend_from_slice(b",\"id\":");
            num_str(out, world.accounts[m.id as usize].id);
            out.push(b'}');
        }
        out.push(b']');
    }
    if !c.links.is_empty() {
        open(out, "urls");
        for (i, l) in c.links.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            start_end(out, l.span.c0, l.span.c1);
            out.extend_from_slice(b",\"url\":");
            string(out, c.slice(&l.span));
            out.extend_from_slice(b",\"expanded_url\":");
            string(out, &l.expanded);
            out.extend_from_slice(b",\"display_url\":");
            string(out, &l.display);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
}

fn start_end(out: &mut Vec<u8>, a: u32, b: u32) {
    out.extend_from_slice(b"{\"start\":");
    num(out, u64::from(a));
    out.extend_from_slice(b",\"end\":");
    num(out, u64::from(b));
}

/// One v2 tweet object. `conversation` is the id of the thread's first post.
#[allow(clippy::too_many_arguments)]
fn v2_tweet(
    world: &World,
    id: u64,
    time_ms: i64,
    author: u32,
    c: &Content,
    lang: u8,
    reference: Option<(&str, &Root)>,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(b"{\"id\":");
    num_str(out, id);
    out.extend_from_slice(b",\"text\":");
    string(out, &c.text);
    out.extend_from_slice(b",\"author_id\":");
    num_str(out, world.accounts[author as usize].id);
    out.extend_from_slice(b",\"created_at\":\"");
    write_iso(out, time_ms);
    out.extend_from_slice(b"\",\"conversation_id\":");
    let conversation = match reference {
        Some(("replied_to", r)) => r.id,
        _ => id,
    };
    num_str(out, conversation);
    out.extend_from_slice(b",\"lang\":");
    string(out, lang_code(lang));
    out.extend_from_slice(b",\"source\":");
    string(out, client_of(world, author, id).0);
    out.extend_from_slice(b",\"possibly_sensitive\":false,\"reply_settings\":\"everyone\",\"public_metrics\":{\"retweet_count\":0,\"reply_count\":0,\"like_count\":0,\"quote_count\":0}");
    if let Some((kind, r)) = reference {
        out.extend_from_slice(b",\"referenced_tweets\":[{\"type\":");
        string(out, kind);
        out.extend_from_slice(b",\"id\":");
        num_str(out, r.id);
        out.extend_from_slice(b"}]");
        if kind == "replied_to" {
            out.extend_from_slice(b",\"in_reply_to_user_id\":");
            num_str(out, world.accounts[r.author as usize].id);
        }
    }
    v2_entities(world, c, out);
    out.push(b'}');
}

/// One v2 response page: the records as `data`, their authors, mentioned and referenced
/// accounts as `includes.users`, and referenced posts as `includes.tweets`.
fn v2_page(world: &World, events: &[Event], s: &mut Scratch, out: &mut Vec<u8>) {
    let mut users: Vec<u32> = Vec::new();
    let mut referenced: Vec<Root> = Vec::new();
    out.extend_from_slice(b"{\"data\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        users.push(e.author);
        let reference = e.parent.as_ref().map(|p| {
            let kind = match e.kind {
                Kind::Retweet => "retweeted",
                Kind::Quote => "quoted",
                _ => "replied_to",
            };
            (kind, p)
        });
        if let Some((_, p)) = reference {
            users.push(p.author);
            if !referenced.iter().any(|r| r.id == p.id) {
                referenced.push(*p);
            }
        }
        match (e.kind, e.parent.as_ref()) {
            (Kind::Retweet, Some(p)) => {
                content::build(&p.spec, p.id, world, &mut s.own);
                retweet_text(world, p, &mut s.own);
            }
            (Kind::Reply, Some(p)) => {
                content::build(&e.spec, e.id, world, &mut s.own);
                reply_text(world, p, &mut s.own);
                s.tags.extend(s.own.tags.iter().map(|t| t.id));
            }
            _ => {
                content::build(&e.spec, e.id, world, &mut s.own);
                s.tags.extend(s.own.tags.iter().map(|t| t.id));
            }
        }
        users.extend(s.own.mentions.iter().map(|m| m.id));
        let lang = match (e.kind, e.parent.as_ref()) {
            (Kind::Retweet, Some(p)) => world.accounts[p.author as usize].lang,
            _ => world.accounts[e.author as usize].lang,
        };
        let c = std::mem::take(&mut s.own);
        v2_tweet(world, e.id, e.time_ms, e.author, &c, lang, reference, out);
        s.own = c;
    }
    out.extend_from_slice(b"],\"includes\":{\"users\":[");
    // Referenced posts' mentioned accounts are expanded too.
    for r in &referenced {
        content::build(&r.spec, r.id, world, &mut s.parent);
        users.extend(s.parent.mentions.iter().map(|m| m.id));
    }
    let mut seen = hashbrown::HashSet::with_capacity(users.len());
    let mut first = true;
    for &u in &users {
        if seen.insert(u) {
            if !first {
                out.push(b',');
            }
            first = false;
            v2_user(world, u, s, out);
        }
    }
    out.extend_from_slice(b"]");
    if !referenced.is_empty() {
        out.extend_from_slice(b",\"tweets\":[");
        for (i, r) in referenced.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            content::build(&r.spec, r.id, world, &mut s.parent);
            let c = std::mem::take(&mut s.parent);
            let lang = world.accounts[r.author as usize].lang;
            v2_tweet(world, r.id, r.time_ms, r.author, &c, lang, None, out);
            s.parent = c;
        }
        out.push(b']');
    }
    out.extend_from_slice(b"},\"meta\":{\"result_count\":");
    num(out, events.len() as u64);
    let newest = events.iter().map(|e| e.id).max().unwrap_or(0);
    let oldest = events.iter().map(|e| e.id).min().unwrap_or(0);
    out.extend_from_slice(b",\"newest_id\":");
    num_str(out, newest);
    out.extend_from_slice(b",\"oldest_id\":");
    num_str(out, oldest);
    out.extend_from_slice(b"}}\n");
}

/// One CSV row of the coordination-network-toolkit table.
fn csv_record(world: &World, e: &Event, s: &mut Scratch, w: &mut csv::Writer<&mut Vec<u8>>) {
    let mut repost = String::new();
    let mut reply = String::new();
    let mut urls = String::new();
    match (e.kind, e.parent.as_ref()) {
        (Kind::Retweet, Some(p)) => {
            content::build(&p.spec, p.id, world, &mut s.own);
            retweet_text(world, p, &mut s.own);
            repost = p.id.to_string();
        }
        (Kind::Reply, Some(p)) => {
            content::build(&e.spec, e.id, world, &mut s.own);
            reply_text(world, p, &mut s.own);
            reply = p.id.to_string();
            s.tags.extend(s.own.tags.iter().map(|t| t.id));
        }
        (Kind::Quote, Some(p)) => {
            content::build(&e.spec, e.id, world, &mut s.own);
            s.tags.extend(s.own.tags.iter().map(|t| t.id));
            urls = format!(
                "https://twitter.com/{}/status/{}",
                world.handle(p.author),
                p.id
            );
        }
        _ => {
            content::build(&e.spec, e.id, world, &mut s.own);
            s.tags.extend(s.own.tags.iter().map(|t| t.id));
        }
    }
    for l in &s.own.links {
        if !urls.is_empty() {
            urls.push(' ');
        }
        urls.push_str(&l.expanded);
    }
    let acc = &world.accounts[e.author as usize];
    let _ = w.write_record([
        e.id.to_string().as_str(),
        acc.id.to_string().as_str(),
        world.handle(e.author),
        &repost,
        &reply,
        &s.own.text,
        (e.time_ms / 1000).to_string().as_str(),
        &urls,
    ]);
}
