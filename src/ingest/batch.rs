/*!
A batch of parsed records, produced in parallel and replayed in input order into the
[`CollectionBuilder`].

Parsing is the expensive part and runs on all threads; interning and deduplication need one
owner and run on one. A batch carries what the parser found as a list of operations whose
strings live in one arena, so a chunk of input costs a handful of allocations, not one per
field.
*/

use crate::model::{
    AccountRef, CollectionBuilder, IdKey, NewPost, Origin, PostIx, PostKeys, PostKind, PostRef,
    ProfileView, TextFingerprint, domain_of, normalize_url, prefetch_lines,
};

use super::Parts;
use super::error::SkipReason;

/// How many posts ahead of the one replayed the ids are looked up in advance.
const PREFETCH_POSTS: usize = 16;

/// How many posts ahead the entries found for the ids prefetched [`PREFETCH_POSTS`] ahead are
/// prefetched in turn.
const PREFETCH_FOUND: usize = 6;

/// How many operations ahead of the one replayed the operation's memory is prefetched: the
/// batch was written on another core.
const PREFETCH_OPS: usize = 6;

/// A string in a batch's arena; empty means absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Str {
    start: u32,
    len: u32,
}

/// An account reference in a batch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AccountStr {
    pub(crate) id: Str,
    pub(crate) handle: Str,
}

/// A post reference in a batch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RefStr {
    pub(crate) id: Str,
    pub(crate) author: AccountStr,
}

/// A post in a batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PostRec {
    pub(crate) id: Str,
    pub(crate) author: AccountStr,
    pub(crate) time_ms: i64,
    pub(crate) kind: PostKind,
    pub(crate) origin: Origin,
    pub(crate) shared: Option<RefStr>,
    pub(crate) reply_to: Option<RefStr>,
    pub(crate) fingerprint: TextFingerprint,
    pub(crate) text: Str,
    pub(crate) client: Str,
    pub(crate) lang: Str,
    pub(crate) merge_rows: bool,
}

/// A profile in a batch.
#[derive(Debug, Clone)]
pub(crate) struct ProfileRec {
    pub(crate) id: Str,
    pub(crate) handle: Str,
    pub(crate) name: Str,
    pub(crate) bio: Str,
    pub(crate) location: Str,
    pub(crate) lang: Str,
    pub(crate) created_ms: i64,
    pub(crate) counts: [Option<u64>; 4],
    pub(crate) flags: [Option<bool>; 3],
    pub(crate) seen_ms: i64,
}

/// One thing the parser found, in input order. Entities arrive normalised (hashtags
/// case-folded, URLs normalised with their domain), so that the one thread replaying batches
/// only interns them.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A post; the entity operations that follow belong to it.
    Post(PostRec),
    /// A case-folded hashtag without `#`.
    Hashtag(Str),
    /// A normalised URL and its domain (empty when it has none).
    Url {
        url: Str,
        domain: Str,
    },
    Mention(AccountStr),
    Object(Str),
    /// A lower-cased domain without `www.`.
    Domain(Str),
    /// An index into [`Batch::profiles`].
    Profile(u32),
    /// A skipped record at a line relative to the batch's first line (1-based).
    Skip {
        line: u64,
        reason: SkipReason,
        detail: String,
    },
}

/// Parsed records of one chunk of input.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    arena: String,
    pub(crate) ops: Vec<Op>,
    pub(crate) profiles: Vec<ProfileRec>,
    /// The keys of the posts' ids, in the order of their [`Op::Post`]s, computed by
    /// [`Batch::key_posts`] on the parsing thread; empty when not computed.
    keys: Vec<PostKeys>,
    /// The optional parts of posts that the parser keeps; the others are neither normalised
    /// nor stored. Kept by [`Batch::clear`].
    pub(crate) parts: Parts,
    /// Lines consumed, so that the next batch knows its first line number.
    pub(crate) lines: u64,
    /// Records (not embedded posts or profiles) seen, skipped ones included.
    pub(crate) records: u64,
}

impl Batch {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Empties the batch, keeping its allocations for the next chunk.
    pub(crate) fn clear(&mut self) {
        self.arena.clear();
        self.ops.clear();
        self.profiles.clear();
        self.keys.clear();
        self.lines = 0;
        self.records = 0;
    }

    /// Stores a number's decimal digits.
    pub(crate) fn str_u64(&mut self, n: u64) -> Str {
        use std::fmt::Write;
        let start = self.arena.len() as u32;
        let _ = write!(self.arena, "{n}");
        Str {
            start,
            len: self.arena.len() as u32 - start,
        }
    }

    pub(crate) fn push_profile(&mut self, rec: ProfileRec) {
        self.ops.push(Op::Profile(self.profiles.len() as u32));
        self.profiles.push(rec);
    }

    /// Stores `s` and names it; an empty string is "absent".
    pub(crate) fn str(&mut self, s: &str) -> Str {
        if s.is_empty() {
            return Str::default();
        }
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        Str {
            start,
            len: s.len() as u32,
        }
    }

    /// Adds a hashtag, case-folded and without `#`, as
    /// [`CollectionBuilder::add_hashtag`] would; empty tags are dropped, and so is every tag
    /// when [`Parts::hashtags`] is off.
    pub(crate) fn push_hashtag(&mut self, tag: &str) {
        if !self.parts.hashtags {
            return;
        }
        let tag = tag.trim().trim_start_matches(['#', '＃']);
        if tag.is_empty() {
            return;
        }
        let start = self.arena.len();
        if tag.is_ascii() {
            self.arena.push_str(tag);
            self.arena[start..].make_ascii_lowercase();
        } else {
            for c in tag.chars() {
                self.arena.extend(c.to_lowercase());
            }
        }
        let s = self.span(start);
        self.ops.push(Op::Hashtag(s));
    }

    /// Adds a URL, normalised with its domain, as [`CollectionBuilder::add_url`] would; empty
    /// URLs are dropped, and so is every URL when [`Parts::urls`] is off.
    pub(crate) fn push_url(&mut self, raw: &str) {
        if !self.parts.urls {
            return;
        }
        let url = normalize_url(raw);
        if url.is_empty() {
            return;
        }
        let domain = domain_of(&url).unwrap_or("");
        let domain = self.str(domain);
        let url = self.str(&url);
        self.ops.push(Op::Url { url, domain });
    }

    /// Adds a domain given on its own, as [`CollectionBuilder::add_domain`] would (unless
    /// [`Parts::domains`] is off).
    pub(crate) fn push_domain(&mut self, raw: &str) {
        if !self.parts.domains {
            return;
        }
        let start = self.arena.len();
        self.arena.push_str(raw.trim());
        self.arena[start..].make_ascii_lowercase();
        if self.arena[start..].starts_with("www.") {
            self.arena.replace_range(start..start + 4, "");
        }
        if self.arena.len() == start {
            return;
        }
        let s = self.span(start);
        self.ops.push(Op::Domain(s));
    }

    fn span(&self, start: usize) -> Str {
        Str {
            start: start as u32,
            len: (self.arena.len() - start) as u32,
        }
    }

    pub(crate) fn get(&self, s: Str) -> &str {
        &self.arena[s.start as usize..(s.start + s.len) as usize]
    }

    fn opt(&self, s: Str) -> Option<&str> {
        (s.len > 0).then(|| self.get(s))
    }

    fn account(&self, a: AccountStr) -> AccountRef<'_> {
        AccountRef {
            id: self.opt(a.id),
            handle: self.opt(a.handle),
        }
    }

    fn post_ref(&self, r: RefStr) -> PostRef<'_> {
        PostRef {
            id: self.get(r.id),
            author: self.account(r.author),
        }
    }

    pub(crate) fn skip(&mut self, line: u64, reason: SkipReason, detail: impl Into<String>) {
        self.ops.push(Op::Skip {
            line,
            reason,
            detail: detail.into(),
        });
    }

    fn new_post(&self, p: &PostRec) -> NewPost<'_> {
        NewPost {
            id: self.get(p.id),
            author: self.account(p.author),
            time_ms: p.time_ms,
            kind: p.kind,
            origin: p.origin,
            shared: p.shared.map(|r| self.post_ref(r)),
            reply_to: p.reply_to.map(|r| self.post_ref(r)),
            fingerprint: p.fingerprint,
            text: self.get(p.text),
            client: self.opt(p.client),
            lang: self.opt(p.lang),
            merge_rows: p.merge_rows,
        }
    }

    /// Posts (records and embedded ones) in the batch.
    fn posts(&self) -> usize {
        self.ops
            .iter()
            .filter(|op| matches!(op, Op::Post(_)))
            .count()
    }

    /// Adds a post with the keys of its ids, computed now, while its strings are at hand; a
    /// parser that adds all its posts so need not call [`Batch::key_posts`].
    pub(crate) fn push_keyed_post(&mut self, post: PostRec) {
        let keys = self.keys_of(&post);
        self.keys.push(keys);
        self.ops.push(Op::Post(post));
    }

    /// Computes the keys of the posts' ids, so that the replay, which runs on one thread, only
    /// looks them up. Parsers call it once a batch is complete.
    pub(crate) fn key_posts(&mut self) {
        let mut keys = std::mem::take(&mut self.keys);
        keys.clear();
        keys.extend(self.ops.iter().filter_map(|op| match op {
            Op::Post(p) => Some(self.keys_of(p)),
            _ => None,
        }));
        self.keys = keys;
    }

    /// The keys of a post's ids: [`PostKeys::of`] its [`NewPost`], read straight from the
    /// record.
    fn keys_of(&self, p: &PostRec) -> PostKeys {
        let account = |a: AccountStr| (a.id.len > 0).then(|| IdKey::of(self.get(a.id)));
        let post_ref = |r: RefStr| (IdKey::of(self.get(r.id)), account(r.author));
        PostKeys {
            id: IdKey::of(self.get(p.id)),
            author: account(p.author),
            shared: p.shared.map(post_ref),
            reply_to: p.reply_to.map(post_ref),
        }
    }

    /// Replays the batch into `builder`; skips are handed to `on_skip` with absolute line
    /// numbers (`first_line` is the line of the batch's line 1). Stops at the first error
    /// `on_skip` returns.
    ///
    /// The table slots of the ids of the post [`PREFETCH_POSTS`] ahead are prefetched, so that
    /// the lookups of the post at hand find their cache lines loaded. The keys come from
    /// [`Batch::key_posts`], or are computed here when the parser did not.
    pub(crate) fn replay<E>(
        &self,
        builder: &mut CollectionBuilder,
        first_line: u64,
        mut on_skip: impl FnMut(u64, SkipReason, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let posts = self.posts();
        let computed;
        let keys: &[PostKeys] = if self.keys.len() == posts {
            &self.keys
        } else {
            computed = self
                .ops
                .iter()
                .filter_map(|op| match op {
                    Op::Post(p) => Some(self.keys_of(p)),
                    _ => None,
                })
                .collect::<Vec<_>>();
            &computed
        };
        for k in keys.iter().take(PREFETCH_POSTS) {
            builder.prefetch(k);
        }
        let mut current: Option<PostIx> = None;
        let mut next_post = 0;
        for (k, op) in self.ops.iter().enumerate() {
            if let Some(ahead) = self.ops.get(k + PREFETCH_OPS) {
                prefetch_lines(ahead);
            }
            match op {
                Op::Post(p) => {
                    if let Some(ahead) = keys.get(next_post + 2 * PREFETCH_POSTS) {
                        prefetch_lines(ahead);
                    }
                    if let Some(ahead) = keys.get(next_post + PREFETCH_POSTS) {
                        builder.prefetch(ahead);
                    }
                    if let Some(ahead) = keys.get(next_post + PREFETCH_FOUND) {
                        builder.prefetch_found(ahead);
                    }
                    current = builder.add_post_keyed(&self.new_post(p), &keys[next_post]);
                    next_post += 1;
                }
                Op::Hashtag(s) => {
                    if let Some(p) = current {
                        builder.add_folded_hashtag(p, self.get(*s));
                    }
                }
                Op::Url { url, domain } => {
                    if let Some(p) = current {
                        builder.add_normalized_url(p, self.get(*url), self.opt(*domain));
                    }
                }
                Op::Mention(a) => {
                    if let Some(p) = current {
                        builder.add_mention(p, self.account(*a));
                    }
                }
                Op::Object(s) => {
                    if let Some(p) = current {
                        builder.add_object(p, self.get(*s));
                    }
                }
                Op::Domain(s) => {
                    if let Some(p) = current {
                        builder.add_normalized_domain(p, self.get(*s));
                    }
                }
                Op::Profile(i) => {
                    let r = &self.profiles[*i as usize];
                    let view = ProfileView {
                        name: self.get(r.name),
                        bio: self.get(r.bio),
                        location: self.get(r.location),
                        lang: self.opt(r.lang),
                        created_ms: r.created_ms,
                        counts: r.counts,
                        flags: r.flags,
                        seen_ms: r.seen_ms,
                    };
                    builder.add_profile_view(self.get(r.id), self.opt(r.handle), &view);
                }
                Op::Skip {
                    line,
                    reason,
                    detail,
                } => {
                    let abs = if *line == 0 { 0 } else { first_line + line - 1 };
                    on_skip(abs, *reason, detail)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An original record post with only its id, author and references.
    fn record(id: Str, author: AccountStr, shared: Option<RefStr>, reply_to: Option<RefStr>) -> Op {
        Op::Post(PostRec {
            id,
            author,
            time_ms: 0,
            kind: PostKind::Original,
            origin: Origin::Record,
            shared,
            reply_to,
            fingerprint: TextFingerprint::NONE,
            text: Str::default(),
            client: Str::default(),
            lang: Str::default(),
            merge_rows: false,
        })
    }

    /// Keys read from the records are the keys of the posts they make.
    #[test]
    fn keys_of_records_are_the_keys_of_their_posts() {
        let mut batch = Batch::new();
        for (id, author, shared, reply) in [
            ("1", "u1", None, None),
            ("2", "", Some(("1", "u1")), None),
            ("x-3", "1234567890123", None, Some(("0077", ""))),
            (
                "18446744073709551615",
                "name_longer_than_seven",
                Some(("5", "")),
                Some(("6", "a")),
            ),
        ] {
            let id = batch.str(id);
            let author = AccountStr {
                id: batch.str(author),
                handle: Str::default(),
            };
            let mut post_ref = |r: Option<(&str, &str)>| {
                r.map(|(id, by)| RefStr {
                    id: batch.str(id),
                    author: AccountStr {
                        id: batch.str(by),
                        handle: Str::default(),
                    },
                })
            };
            let (shared, reply_to) = (post_ref(shared), post_ref(reply));
            batch.ops.push(record(id, author, shared, reply_to));
        }
        batch.key_posts();
        let posts: Vec<PostKeys> = batch
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Post(p) => Some(PostKeys::of(&batch.new_post(p))),
                _ => None,
            })
            .collect();
        assert_eq!(posts.len(), 4);
        assert_eq!(batch.keys, posts);
    }

    /// Entities normalised on the parsing threads intern exactly what the builder's own
    /// normalisation interns.
    #[test]
    fn batch_entities_match_the_builder_normalisation() {
        let tags = [
            "#Tag",
            "＃Élysée",
            "  #x ",
            "",
            "#",
            "ΣΟΦΙΑ",
            "MacronLeaks",
            "#İstanbul",
        ];
        let urls = [
            " HTTPS://WWW.Example.COM:443/a?utm_source=tw&id=3#top",
            "http://ex.com",
            "",
            "23678",
            "ftp://x/y",
            "https://:443/",
        ];
        let domains = ["WWW.Example.com", "www.WWW.x", " www. ", "", "Sub.Ex.org "];
        let post = |id| NewPost {
            id,
            author: AccountRef {
                id: Some("1"),
                handle: None,
            },
            time_ms: 0,
            kind: PostKind::Original,
            origin: Origin::Record,
            shared: None,
            reply_to: None,
            fingerprint: TextFingerprint::NONE,
            text: "",
            client: None,
            lang: None,
            merge_rows: false,
        };
        let mut direct = CollectionBuilder::new();
        let p = direct.add_post(&post("7")).unwrap();
        for t in tags {
            direct.add_hashtag(p, t);
        }
        for u in urls {
            direct.add_url(p, u);
        }
        for d in domains {
            direct.add_domain(p, d);
        }
        let mut batch = Batch::new();
        let id = batch.str("7");
        let author = AccountStr {
            id: batch.str("1"),
            handle: Str::default(),
        };
        batch.ops.push(record(id, author, None, None));
        for t in tags {
            batch.push_hashtag(t);
        }
        for u in urls {
            batch.push_url(u);
        }
        for d in domains {
            batch.push_domain(d);
        }
        let mut replayed = CollectionBuilder::new();
        batch
            .replay(&mut replayed, 1, |_, _, _| Ok::<(), ()>(()))
            .unwrap();
        let (a, _) = direct.finish();
        let (b, _) = replayed.finish();
        let strings = |i: &crate::model::Interner| i.iter().map(String::from).collect::<Vec<_>>();
        assert_eq!(strings(&a.hashtags), strings(&b.hashtags));
        assert_eq!(strings(&a.urls), strings(&b.urls));
        assert_eq!(strings(&a.domains), strings(&b.domains));
        assert_eq!(a.url_domain, b.url_domain);
        assert_eq!(a.posts.entities(0), b.posts.entities(0));
        assert_eq!(
            strings(&a.hashtags),
            [
                "tag",
                "élysée",
                "x",
                "σοφια",
                "macronleaks",
                "i\u{307}stanbul"
            ]
        );
        assert_eq!(
            strings(&a.domains),
            ["example.com", "ex.com", "www.x", "sub.ex.org"]
        );
    }
}
