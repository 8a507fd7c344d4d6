/*!
Filling a [`Collection`] one post at a time, in input order.

Readers call [`CollectionBuilder::add_post`] for every post they find (records, embedded
originals and expansions) and then add its entities; the builder decides what is new, what
upgrades a post seen before, and what is a duplicate. Because it is fed in input order, the
result does not depend on how parsing was parallelised.
*/

use rustc_hash::FxHashMap;

use super::ids::{IdKey, prefetch_line};
use super::{
    AccountIx, Collection, Entity, EntityKind, NO_TIME, NONE, Origin, PostIx, PostKind, Sym,
    TextFingerprint, domain_of, normalize_url,
};

/// A reference to an account: its id, its handle, or both.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountRef<'a> {
    /// The account id, if the source gave one.
    pub id: Option<&'a str>,
    /// The handle (screen name), if the source gave one.
    pub handle: Option<&'a str>,
}

/// A reference to another post, from a retweet, quote or reply.
#[derive(Debug, Clone, Copy)]
pub struct PostRef<'a> {
    /// The referenced post's id.
    pub id: &'a str,
    /// Its author, if known.
    pub author: AccountRef<'a>,
}

/// One post as a reader found it.
#[derive(Debug, Clone, Copy)]
pub struct NewPost<'a> {
    /// The post id.
    pub id: &'a str,
    /// The author.
    pub author: AccountRef<'a>,
    /// Time in ms since the Unix epoch.
    pub time_ms: i64,
    /// What the post is.
    pub kind: PostKind,
    /// A record of the collection, or an original embedded in one.
    pub origin: Origin,
    /// The retweeted or quoted post.
    pub shared: Option<PostRef<'a>>,
    /// The post replied to.
    pub reply_to: Option<PostRef<'a>>,
    /// Fingerprint of the normalised text.
    pub fingerprint: TextFingerprint,
    /// The text to keep (empty for retweets).
    pub text: &'a str,
    /// The client (`source`) display name.
    pub client: Option<&'a str>,
    /// The language code.
    pub lang: Option<&'a str>,
    /// Rows of one post spread over several lines (CSV tables with one row per post and
    /// object): a repeated id adds its entities to the post instead of counting as a duplicate.
    pub merge_rows: bool,
}

/// The [`IdKey`]s of the ids a [`NewPost`] names (its own, its author's, and those of the posts
/// it shares or replies to with their authors), computed on the parsing threads so that the
/// replay only looks them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PostKeys {
    pub(crate) id: IdKey,
    pub(crate) author: Option<IdKey>,
    pub(crate) shared: Option<(IdKey, Option<IdKey>)>,
    pub(crate) reply_to: Option<(IdKey, Option<IdKey>)>,
}

fn account_key(r: &AccountRef<'_>) -> Option<IdKey> {
    r.id.filter(|s| !s.is_empty()).map(IdKey::of)
}

impl PostKeys {
    /// The keys of `post`'s ids.
    pub(crate) fn of(post: &NewPost<'_>) -> PostKeys {
        let post_ref = |r: &PostRef<'_>| (IdKey::of(r.id), account_key(&r.author));
        PostKeys {
            id: IdKey::of(post.id),
            author: account_key(&post.author),
            shared: post.shared.as_ref().map(post_ref),
            reply_to: post.reply_to.as_ref().map(post_ref),
        }
    }
}

/// An account profile as seen in one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Display name.
    pub name: Box<str>,
    /// Self-description (bio).
    pub bio: Box<str>,
    /// Declared location.
    pub location: Box<str>,
    /// Declared or interface language, if any.
    pub lang: Option<Box<str>>,
    /// Account creation time (ms), or [`NO_TIME`].
    pub created_ms: i64,
    /// Followers.
    pub followers: Option<u64>,
    /// Friends (accounts followed).
    pub friends: Option<u64>,
    /// Posts the account had made.
    pub statuses: Option<u64>,
    /// Lists the account is on.
    pub listed: Option<u64>,
    /// Whether the profile keeps the default theme.
    pub default_profile: Option<bool>,
    /// Whether the profile keeps the default image ("egg").
    pub default_image: Option<bool>,
    /// Whether the account is verified.
    pub verified: Option<bool>,
    /// When this profile was observed (ms): the time of the post that carried it.
    pub seen_ms: i64,
}

/// A profile as a reader found it, with the account it belongs to.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// The account id.
    pub id: &'a str,
    /// The handle.
    pub handle: Option<&'a str>,
    /// The profile.
    pub profile: Profile,
}

/// A profile with borrowed text, as readers hand it over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProfileView<'a> {
    pub(crate) name: &'a str,
    pub(crate) bio: &'a str,
    pub(crate) location: &'a str,
    pub(crate) lang: Option<&'a str>,
    pub(crate) created_ms: i64,
    /// Followers, friends, statuses, listed.
    pub(crate) counts: [Option<u64>; 4],
    /// Default profile, default image, verified.
    pub(crate) flags: [Option<bool>; 3],
    pub(crate) seen_ms: i64,
}

impl ProfileView<'_> {
    fn fill_numbers(&self, p: &mut Profile) {
        p.created_ms = self.created_ms;
        [p.followers, p.friends, p.statuses, p.listed] = self.counts;
        [p.default_profile, p.default_image, p.verified] = self.flags;
        p.seen_ms = self.seen_ms;
    }
}

/// Counters the builder keeps while it is fed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BuildCounts {
    /// Records whose id was already a record.
    pub duplicates: u64,
    /// CSV rows that added entities to a post seen on an earlier row.
    pub merged_rows: u64,
}

/// Builds a [`Collection`]; see the module docs.
#[derive(Debug, Default)]
pub struct CollectionBuilder {
    c: Collection,
    counts: BuildCounts,
    /// Entities in arrival order; grouped by post in [`CollectionBuilder::finish`].
    pending_entities: Vec<(PostIx, Entity)>,
    /// Per post: start and length of its text in `text_arena`; posts past the end have no
    /// text (the spans grow with the first text, so a collection without texts holds none).
    text_span: Vec<(u64, u32)>,
    text_arena: String,
    /// Lower-cased handle to account, for mentions that name no id: the last account with an
    /// id that took the handle, else the first account that did. Made from `handle_log`
    /// only when a handle is looked up, since most collections never look one up.
    by_handle: FxHashMap<Sym, AccountIx>,
    lower_handles: super::Interner,
    /// Every handle an account took, in order; `by_handle` holds the first `handles_indexed`.
    handle_log: Vec<(AccountIx, Sym)>,
    handles_indexed: usize,
    scratch: String,
}

impl CollectionBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counters so far.
    pub fn counts(&self) -> BuildCounts {
        self.counts
    }

    /// Makes room for about `expected` more posts, so that a reader that can tell how many are
    /// coming spares the copies and rehashes of growing one post at a time. A hint only: the
    /// collection comes out the same.
    ///
    /// The memory for `expected` posts and a tenth more is touched here, on all threads, before
    /// the one thread that fills the columns needs it: fresh pages cost a fault each, which
    /// would otherwise fall on that thread. The columns get twice the room: an estimate a
    /// little short would cost a copy of every column, while room never written costs address
    /// space only. The id table is sized for `expected` alone, since a margin could double it.
    pub fn reserve_posts(&mut self, expected: usize) {
        let p = &mut self.c.posts;
        p.ids.reserve(expected);
        let room = expected.saturating_mul(2);
        let expected = expected.saturating_add(expected / 10);
        prefault(&mut p.author, room, expected, NONE);
        prefault(&mut p.time_ms, room, expected, NO_TIME);
        prefault(&mut p.kind, room, expected, PostKind::Original);
        prefault(&mut p.origin, room, expected, Origin::Stub);
        prefault(&mut p.shared, room, expected, NONE);
        prefault(&mut p.reply_to, room, expected, NONE);
    }

    /// Number of posts so far (records, embedded and stubs).
    pub fn post_count(&self) -> usize {
        self.c.posts.len()
    }

    fn new_account(&mut self, id: &str) -> AccountIx {
        self.new_account_keyed(id, IdKey::of(id))
    }

    fn new_account_keyed(&mut self, id: &str, key: IdKey) -> AccountIx {
        let (ix, new) = self.c.accounts.ids.insert_keyed(id, key);
        if new {
            let a = &mut self.c.accounts;
            a.handle.push(NONE);
            a.profile.push(NONE);
            a.first_ms.push(NO_TIME);
            a.last_ms.push(NO_TIME);
            a.records.push(0);
        }
        ix
    }

    fn set_handle(&mut self, a: AccountIx, handle: &str) {
        let handle = handle.trim_start_matches('@');
        if handle.is_empty() {
            return;
        }
        // The same handle again (the common case: one per record) changes nothing.
        let current = self.c.accounts.handle[a as usize];
        if current != NONE && self.c.accounts.handles.resolve(current) == handle {
            return;
        }
        let sym = self.c.accounts.handles.intern(handle);
        self.c.accounts.handle[a as usize] = sym;
        self.handle_log.push((a, sym));
    }

    /// The account `by_handle` gives for `handle` in any case, once brought up to date.
    fn account_by_handle(&mut self, handle: &str) -> Option<AccountIx> {
        self.index_handles();
        self.scratch.clear();
        self.scratch.push_str(handle);
        self.scratch.make_ascii_lowercase();
        let lower = self.lower_handles.get(&self.scratch)?;
        self.by_handle.get(&lower).copied()
    }

    /// Brings `by_handle` up to date with the handles taken since it was last brought up to
    /// date, in the order they were taken.
    fn index_handles(&mut self) {
        for &(a, sym) in &self.handle_log[self.handles_indexed..] {
            self.scratch.clear();
            self.scratch.push_str(self.c.accounts.handles.resolve(sym));
            self.scratch.make_ascii_lowercase();
            let lower = self.lower_handles.intern(&self.scratch);
            // An account known by id wins over a placeholder made from a bare handle.
            let named = self.c.accounts.ids.number(a).is_some();
            let entry = self.by_handle.entry(lower).or_insert(a);
            if named {
                *entry = a;
            }
        }
        self.handles_indexed = self.handle_log.len();
    }

    /// The account an [`AccountRef`] names, created if new; `None` when it names nothing.
    pub fn account(&mut self, r: AccountRef<'_>) -> Option<AccountIx> {
        self.account_keyed(r, account_key(&r))
    }

    /// [`CollectionBuilder::account`] with the key of the id (`None` when there is no id).
    fn account_keyed(&mut self, r: AccountRef<'_>, key: Option<IdKey>) -> Option<AccountIx> {
        match (
            r.id.filter(|s| !s.is_empty()).zip(key),
            r.handle.filter(|s| !s.is_empty()),
        ) {
            (Some((id, key)), handle) => {
                let a = self.new_account_keyed(id, key);
                if let Some(h) = handle
                    && self.c.accounts.handle[a as usize] == NONE
                {
                    self.set_handle(a, h);
                }
                Some(a)
            }
            (None, Some(handle)) => {
                let handle = handle.trim_start_matches('@');
                if let Some(a) = self.account_by_handle(handle) {
                    return Some(a);
                }
                // Placeholder id "@handle", merged into the real account in `finish` if the
                // handle shows up with an id later.
                let placeholder = format!("@{handle}");
                let a = self.new_account(&placeholder);
                self.set_handle(a, handle);
                Some(a)
            }
            (None, None) => None,
        }
    }

    fn push_post_columns(&mut self) {
        let p = &mut self.c.posts;
        p.author.push(NONE);
        p.time_ms.push(NO_TIME);
        p.kind.push(PostKind::Original);
        p.origin.push(Origin::Stub);
        p.shared.push(NONE);
        p.reply_to.push(NONE);
    }

    /// The post a [`PostRef`] names, created as a stub if new.
    pub fn post_ref(&mut self, r: PostRef<'_>) -> PostIx {
        self.post_ref_keyed(r, (IdKey::of(r.id), account_key(&r.author)))
    }

    fn post_ref_keyed(&mut self, r: PostRef<'_>, keys: (IdKey, Option<IdKey>)) -> PostIx {
        let (p, new) = self.c.posts.ids.insert_keyed(r.id, keys.0);
        if new {
            self.push_post_columns();
        }
        if self.c.posts.author[p as usize] == NONE
            && let Some(a) = self.account_keyed(r.author, keys.1)
        {
            self.c.posts.author[p as usize] = a;
        }
        p
    }

    /// Adds a post. Returns its index when its entities should be added now (a new post, a
    /// stub filled in, or a merged CSV row), and `None` when the post was known already (a
    /// duplicate record, or an embedded copy of a post already held).
    pub fn add_post(&mut self, post: &NewPost<'_>) -> Option<PostIx> {
        self.add_post_keyed(post, &PostKeys::of(post))
    }

    /// Starts loading what [`CollectionBuilder::add_post_keyed`] will look up for a post with
    /// `keys`, so that a replay that calls this some posts ahead does not wait for memory.
    pub(crate) fn prefetch(&self, keys: &PostKeys) {
        let (posts, accounts) = (&self.c.posts.ids, &self.c.accounts.ids);
        posts.prefetch(keys.id);
        if let Some(a) = keys.author {
            accounts.prefetch(a);
        }
        for (id, author) in [keys.shared, keys.reply_to].into_iter().flatten() {
            posts.prefetch(id);
            if let Some(a) = author {
                accounts.prefetch(a);
            }
        }
    }

    /// Starts loading what [`CollectionBuilder::add_post_keyed`] will read once it has found
    /// the ids of a post with `keys`: its author's handle and activity columns and the authors
    /// of the posts it shares or replies to. Called a few posts ahead, after
    /// [`CollectionBuilder::prefetch`] of the same keys has brought their table slots in; ids
    /// not held yet are skipped.
    pub(crate) fn prefetch_found(&self, keys: &PostKeys) {
        if let Some(a) = keys.author.and_then(|k| self.c.accounts.ids.peek(k)) {
            let accounts = &self.c.accounts;
            if let Some(records) = accounts.records.get(a as usize) {
                prefetch_line(records);
                prefetch_line(&accounts.first_ms[a as usize]);
                prefetch_line(&accounts.last_ms[a as usize]);
                prefetch_line(&accounts.handle[a as usize]);
            }
        }
        for (id, _) in [keys.shared, keys.reply_to].into_iter().flatten() {
            if let Some(author) = self
                .c
                .posts
                .ids
                .peek(id)
                .and_then(|p| self.c.posts.author.get(p as usize))
            {
                prefetch_line(author);
            }
        }
    }

    /// [`CollectionBuilder::add_post`] with the keys of the post's ids computed already.
    pub(crate) fn add_post_keyed(&mut self, post: &NewPost<'_>, keys: &PostKeys) -> Option<PostIx> {
        let (p, new) = self.c.posts.ids.insert_keyed(post.id, keys.id);
        if new {
            self.push_post_columns();
        }
        let existing = self.c.posts.origin[p as usize];
        let accept_entities = match (existing, post.origin) {
            _ if new => true,
            (Origin::Record, Origin::Record) if post.merge_rows => {
                self.counts.merged_rows += 1;
                return Some(p);
            }
            (Origin::Record, Origin::Record) => {
                self.counts.duplicates += 1;
                return None;
            }
            (Origin::Stub, _) => true,
            // A record arriving after its embedded copy: same content, entities already held.
            (Origin::Embedded, Origin::Record) => false,
            _ => return None,
        };
        let author = self.account_keyed(post.author, keys.author).unwrap_or(NONE);
        let shared = post
            .shared
            .zip(keys.shared)
            .map_or(NONE, |(r, k)| self.post_ref_keyed(r, k));
        let reply_to = post
            .reply_to
            .zip(keys.reply_to)
            .map_or(NONE, |(r, k)| self.post_ref_keyed(r, k));
        let client = post
            .client
            .filter(|s| !s.is_empty())
            .map_or(NONE, |s| self.c.clients.intern(s));
        let lang = post
            .lang
            .filter(|s| !s.is_empty())
            .map_or(NONE, |s| self.c.languages.intern(s));
        let i = p as usize;
        let posts = &mut self.c.posts;
        posts.author[i] = author;
        posts.time_ms[i] = post.time_ms;
        posts.kind[i] = post.kind;
        posts.origin[i] = post.origin;
        posts.shared[i] = shared;
        posts.reply_to[i] = reply_to;
        set_optional(
            &mut posts.fingerprint,
            i,
            post.fingerprint,
            TextFingerprint::NONE,
        );
        set_optional(&mut posts.client, i, client, NONE);
        set_optional(&mut posts.lang, i, lang, NONE);
        let held = self.text_span.get(i).map_or(0, |s| s.1);
        if accept_entities || held == 0 {
            if !post.text.is_empty() {
                if self.text_span.len() <= i {
                    self.text_span.resize(i + 1, (0, 0));
                }
                let start = self.text_arena.len() as u64;
                self.text_arena.push_str(post.text);
                self.text_span[i] = (start, post.text.len() as u32);
            } else if held > 0 {
                self.text_span[i] = (0, 0);
            }
        }
        if post.origin == Origin::Record && author != NONE {
            let a = &mut self.c.accounts;
            let ai = author as usize;
            a.records[ai] += 1;
            if a.first_ms[ai] == NO_TIME || post.time_ms < a.first_ms[ai] {
                a.first_ms[ai] = post.time_ms;
            }
            if a.last_ms[ai] == NO_TIME || post.time_ms > a.last_ms[ai] {
                a.last_ms[ai] = post.time_ms;
            }
        }
        accept_entities.then_some(p)
    }

    /// Adds a hashtag (case-folded, without `#`) to post `p`; empty tags are ignored.
    pub fn add_hashtag(&mut self, p: PostIx, tag: &str) {
        let tag = tag.trim().trim_start_matches(['#', '＃']);
        if tag.is_empty() {
            return;
        }
        let mut folded = std::mem::take(&mut self.scratch);
        folded.clear();
        for c in tag.chars() {
            folded.extend(c.to_lowercase());
        }
        self.add_folded_hashtag(p, &folded);
        self.scratch = folded;
    }

    /// [`CollectionBuilder::add_hashtag`] for a tag already trimmed, without `#`, case-folded
    /// and not empty (readers fold tags on their own threads).
    pub(crate) fn add_folded_hashtag(&mut self, p: PostIx, folded: &str) {
        let sym = self.c.hashtags.intern(folded);
        self.pending_entities
            .push((p, Entity::new(EntityKind::Hashtag, sym)));
    }

    /// Adds a URL (normalised with [`normalize_url`]) to post `p`; empty URLs are ignored.
    pub fn add_url(&mut self, p: PostIx, url: &str) {
        let url = normalize_url(url);
        if url.is_empty() {
            return;
        }
        self.add_normalized_url(p, &url, domain_of(&url));
    }

    /// [`CollectionBuilder::add_url`] for a URL already normalised (not empty) and its
    /// [`domain_of`].
    pub(crate) fn add_normalized_url(&mut self, p: PostIx, url: &str, domain: Option<&str>) {
        let before = self.c.urls.len();
        let sym = self.c.urls.intern(url);
        if self.c.urls.len() > before {
            let domain = domain.map_or(NONE, |d| self.c.domains.intern(d));
            self.c.url_domain.push(domain);
        }
        self.pending_entities
            .push((p, Entity::new(EntityKind::Url, sym)));
    }

    /// Adds a domain given on its own (lower-cased, without `www.`) to post `p`.
    pub fn add_domain(&mut self, p: PostIx, domain: &str) {
        let d = domain.trim().to_ascii_lowercase();
        let d = d.strip_prefix("www.").unwrap_or(&d);
        if d.is_empty() {
            return;
        }
        self.add_normalized_domain(p, d);
    }

    /// [`CollectionBuilder::add_domain`] for a domain already trimmed, lower-cased, without
    /// `www.` and not empty.
    pub(crate) fn add_normalized_domain(&mut self, p: PostIx, d: &str) {
        let sym = self.c.domains.intern(d);
        self.pending_entities
            .push((p, Entity::new(EntityKind::Domain, sym)));
    }

    /// Adds a mention of an account to post `p`.
    pub fn add_mention(&mut self, p: PostIx, account: AccountRef<'_>) {
        if let Some(a) = self.account(account) {
            self.pending_entities
                .push((p, Entity::new(EntityKind::Mention, a)));
        }
    }

    /// Adds a generic object to post `p`; empty objects are ignored.
    pub fn add_object(&mut self, p: PostIx, object: &str) {
        let object = object.trim();
        if object.is_empty() {
            return;
        }
        let sym = self.c.objects.intern(object);
        self.pending_entities
            .push((p, Entity::new(EntityKind::Object, sym)));
    }

    /// Records a profile; the one with the latest `seen_ms` is kept (the later one on ties).
    pub fn add_profile(&mut self, account: NewAccount<'_>) {
        let p = &account.profile;
        let view = ProfileView {
            name: &p.name,
            bio: &p.bio,
            location: &p.location,
            lang: p.lang.as_deref(),
            created_ms: p.created_ms,
            counts: [p.followers, p.friends, p.statuses, p.listed],
            flags: [p.default_profile, p.default_image, p.verified],
            seen_ms: p.seen_ms,
        };
        self.add_profile_view(account.id, account.handle, &view);
    }

    /// [`CollectionBuilder::add_profile`] for borrowed fields: a profile that repeats the held
    /// one (the common case, one copy per record) is updated in place without allocating.
    pub(crate) fn add_profile_view(&mut self, id: &str, handle: Option<&str>, v: &ProfileView<'_>) {
        if id.is_empty() {
            return;
        }
        let a = self.new_account(id);
        if let Some(h) = handle.filter(|h| !h.is_empty()) {
            self.set_handle(a, h);
        }
        let accounts = &mut self.c.accounts;
        let slot = accounts.profile[a as usize];
        if slot != NONE {
            let held = &mut accounts.profiles[slot as usize];
            if v.seen_ms < held.seen_ms {
                return;
            }
            if &*held.name == v.name
                && &*held.bio == v.bio
                && &*held.location == v.location
                && held.lang.as_deref() == v.lang
            {
                v.fill_numbers(held);
                return;
            }
        }
        let mut profile = Profile {
            name: v.name.into(),
            bio: v.bio.into(),
            location: v.location.into(),
            lang: v.lang.map(Into::into),
            ..Profile::default()
        };
        v.fill_numbers(&mut profile);
        if slot == NONE {
            accounts.profile[a as usize] = accounts.profiles.len() as u32;
            accounts.profiles.push(profile);
        } else {
            accounts.profiles[slot as usize] = profile;
        }
    }

    /// The finished collection and the counters.
    pub fn finish(mut self) -> (Collection, BuildCounts) {
        self.merge_placeholder_accounts();
        let n = self.c.posts.len();
        let p = &mut self.c.posts;
        fill_optional(&mut p.fingerprint, n, TextFingerprint::NONE);
        fill_optional(&mut p.client, n, NONE);
        fill_optional(&mut p.lang, n, NONE);
        self.group_entities(n);
        // Lay texts out in post order; posts past the spans have none.
        let mut text = String::new();
        let text_start = if self.text_arena.is_empty() {
            // Zeroed memory, not written: a collection read without texts (a co-retweet
            // network needs none) spares touching a column of millions of offsets.
            vec![0u64; n + 1]
        } else if let Some(starts) = tiled_starts(&self.text_span, n, self.text_arena.len()) {
            // The texts came in post order, each once: the arena is the layout already.
            text = std::mem::take(&mut self.text_arena);
            starts
        } else {
            text.reserve_exact(self.text_span.iter().map(|s| s.1 as usize).sum());
            let mut text_start = Vec::with_capacity(n + 1);
            text_start.push(0u64);
            for p in 0..n {
                let (s, len) = self.text_span.get(p).copied().unwrap_or((0, 0));
                text.push_str(&self.text_arena[s as usize..s as usize + len as usize]);
                text_start.push(text.len() as u64);
            }
            text_start
        };
        self.c.posts.text = text;
        self.c.posts.text_start = text_start;
        shrink_columns(&mut self.c);
        (self.c, self.counts)
    }

    /// Groups the pending entities by post (counting sort, stable), then sorts and dedupes
    /// each post's, into the posts' entity columns.
    fn group_entities(&mut self, n: usize) {
        if self.pending_entities.is_empty() {
            // Zeroed memory, not written (see the texts in `finish`).
            self.c.posts.entities = Vec::new();
            self.c.posts.entity_start = vec![0u32; n + 1];
            return;
        }
        let mut start = vec![0u32; n + 1];
        for &(p, _) in &self.pending_entities {
            start[p as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut grouped = vec![Entity(0); self.pending_entities.len()];
        for &(p, e) in &self.pending_entities {
            grouped[fill[p as usize] as usize] = e;
            fill[p as usize] += 1;
        }
        drop(std::mem::take(&mut self.pending_entities));
        let mut entities = Vec::with_capacity(grouped.len());
        let mut entity_start = Vec::with_capacity(n + 1);
        entity_start.push(0u32);
        for p in 0..n {
            let slice = &mut grouped[start[p] as usize..start[p + 1] as usize];
            slice.sort_unstable();
            let mut last = None;
            for &e in slice.iter() {
                if last != Some(e) {
                    entities.push(e);
                    last = Some(e);
                }
            }
            entity_start.push(entities.len() as u32);
        }
        self.c.posts.entities = entities;
        self.c.posts.entity_start = entity_start;
    }

    /// Placeholder accounts ("@handle", made for a mention without id) whose handle later
    /// showed up on an account with an id are folded into that account.
    fn merge_placeholder_accounts(&mut self) {
        let accounts = &self.c.accounts;
        let placeholders: Vec<AccountIx> = (0..accounts.len() as AccountIx)
            .filter(|&a| {
                accounts.ids.number(a).is_none() && accounts.ids.external(a).starts_with('@')
            })
            .collect();
        let mut remap: FxHashMap<AccountIx, AccountIx> = FxHashMap::default();
        for a in placeholders {
            let Some(handle) = self.c.accounts.handle(a).map(str::to_owned) else {
                continue;
            };
            if let Some(real) = self.account_by_handle(&handle)
                && real != a
            {
                remap.insert(a, real);
            }
        }
        if remap.is_empty() {
            return;
        }
        for author in &mut self.c.posts.author {
            if let Some(&real) = remap.get(author) {
                *author = real;
            }
        }
        for (_, e) in &mut self.pending_entities {
            if e.kind() == EntityKind::Mention
                && let Some(&real) = remap.get(&e.id())
            {
                *e = Entity::new(EntityKind::Mention, real);
            }
        }
    }
}

/// The text offsets of `n` posts whose `spans` (start and length in an arena of `arena_len`
/// bytes) lie one after the other in post order and cover the whole arena, or `None` when
/// some text was replaced or came out of order.
fn tiled_starts(spans: &[(u64, u32)], n: usize, arena_len: usize) -> Option<Vec<u64>> {
    let mut starts = Vec::with_capacity(n + 1);
    starts.push(0u64);
    let mut end = 0u64;
    for p in 0..n {
        let (start, len) = spans.get(p).copied().unwrap_or((0, 0));
        if len > 0 {
            if start != end {
                return None;
            }
            end += u64::from(len);
        }
        starts.push(end);
    }
    (end == arena_len as u64).then_some(starts)
}

/// Reserves room for `room` more items in `v` and touches the memory of the first `touch` of
/// them on all threads (see [`CollectionBuilder::reserve_posts`]); `v` keeps its contents.
fn prefault<T: Clone + Send + Sync>(v: &mut Vec<T>, room: usize, touch: usize, fill: T) {
    use rayon::iter::ParallelExtend;
    // Columns are written in order: 4 KiB pages serve (see `advise_huge_pages`).
    v.reserve(room);
    let len = v.len();
    v.par_extend(rayon::iter::repeat_n(fill, touch.min(room)));
    v.truncate(len);
}

/// Sets `column[i]` of an optional column (fingerprints, clients, languages), which stays
/// empty until a post has a value: a collection without any (a CSV table names no client)
/// spares a column of millions of [`NONE`]s.
fn set_optional<T: Copy + PartialEq>(column: &mut Vec<T>, i: usize, value: T, none: T) {
    if let Some(slot) = column.get_mut(i) {
        *slot = value;
    } else if value != none {
        column.resize(i, none);
        column.push(value);
    }
}

/// An optional column with a value: one slot per post, the ones never set [`NONE`] (see
/// [`set_optional`]); without any, it stays empty.
fn fill_optional<T: Copy>(column: &mut Vec<T>, n: usize, none: T) {
    if !column.is_empty() {
        column.resize(n, none);
    }
}

fn shrink_columns(c: &mut Collection) {
    let p = &mut c.posts;
    p.ids.shrink_to_fit();
    p.author.shrink_to_fit();
    p.time_ms.shrink_to_fit();
    p.kind.shrink_to_fit();
    p.origin.shrink_to_fit();
    p.shared.shrink_to_fit();
    p.reply_to.shrink_to_fit();
    p.fingerprint.shrink_to_fit();
    p.client.shrink_to_fit();
    p.lang.shrink_to_fit();
    c.accounts.profiles.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post<'a>(id: &'a str, author: &'a str, t: i64, origin: Origin) -> NewPost<'a> {
        NewPost {
            id,
            author: AccountRef {
                id: Some(author),
                handle: None,
            },
            time_ms: t,
            kind: PostKind::Original,
            origin,
            shared: None,
            reply_to: None,
            fingerprint: TextFingerprint::NONE,
            text: "",
            client: None,
            lang: None,
            merge_rows: false,
        }
    }

    #[test]
    fn texts_in_post_order_are_laid_out_as_they_came() {
        assert_eq!(
            tiled_starts(&[(0, 3), (0, 0), (3, 2)], 4, 5),
            Some(vec![0, 3, 3, 5, 5])
        );
        assert_eq!(tiled_starts(&[(3, 2), (0, 3)], 2, 5), None);
        // A replaced text leaves its first bytes in the arena.
        assert_eq!(tiled_starts(&[(3, 2), (0, 0)], 2, 5), None);
        assert_eq!(tiled_starts(&[], 3, 0), Some(vec![0, 0, 0, 0]));

        // In order, and with a stub whose text comes after a later post's.
        for stub_first in [false, true] {
            let mut b = CollectionBuilder::new();
            if stub_first {
                b.post_ref(PostRef {
                    id: "3",
                    author: AccountRef::default(),
                });
            }
            for (id, text) in [("1", "abc"), ("2", ""), ("3", "de"), ("4", "fgh")] {
                b.add_post(&NewPost {
                    text,
                    ..post(id, "a", 1000, Origin::Record)
                });
            }
            let (c, _) = b.finish();
            let by_id = |id: &str| c.posts.text(c.posts.ids.get(id).unwrap());
            assert_eq!(
                [by_id("1"), by_id("2"), by_id("3"), by_id("4")],
                ["abc", "", "de", "fgh"],
                "stub first: {stub_first}"
            );
            assert_eq!(c.posts.text.len(), 8);
        }
    }

    #[test]
    fn optional_columns_stay_empty_until_a_post_has_a_value() {
        let mut b = CollectionBuilder::new();
        for (id, t) in [("1", 1), ("2", 2)] {
            b.add_post(&post(id, "7", t, Origin::Record));
        }
        let (c, _) = b.finish();
        assert!(c.posts.client.is_empty() && c.posts.lang.is_empty());
        assert!(c.posts.fingerprint.is_empty());
        assert_eq!((c.posts.client(1), c.posts.lang(1)), (NONE, NONE));
        assert!(c.posts.fingerprint(1).is_none());

        // A value on the second of three posts (the third a stub made before it): every
        // post gets a slot, the others NONE.
        let mut b = CollectionBuilder::new();
        b.add_post(&post("1", "7", 1, Origin::Record));
        let mut second = post("2", "7", 2, Origin::Record);
        second.client = Some("Twitter Web App");
        second.reply_to = Some(PostRef {
            id: "3",
            author: AccountRef {
                id: Some("8"),
                handle: None,
            },
        });
        b.add_post(&second);
        let (c, _) = b.finish();
        assert_eq!(c.posts.len(), 3);
        assert_eq!(c.posts.client, [NONE, 0, NONE]);
        assert_eq!(c.clients.resolve(c.posts.client(1)), "Twitter Web App");
        assert!(c.posts.lang.is_empty());
    }

    #[test]
    fn duplicates_count_once_and_embedded_copies_upgrade() {
        let mut b = CollectionBuilder::new();
        let p = b.add_post(&post("10", "1", 5, Origin::Embedded)).unwrap();
        b.add_hashtag(p, "#Tag");
        assert_eq!(b.add_post(&post("10", "1", 5, Origin::Record)), None);
        assert_eq!(b.add_post(&post("10", "1", 5, Origin::Record)), None);
        assert_eq!(b.add_post(&post("10", "1", 5, Origin::Embedded)), None);
        let (c, counts) = b.finish();
        assert_eq!(counts.duplicates, 1);
        assert_eq!(c.posts.len(), 1);
        assert!(c.posts.is_record(0));
        assert_eq!(c.posts.entities(0), &[Entity::new(EntityKind::Hashtag, 0)]);
        assert_eq!(c.hashtags.resolve(0), "tag");
        assert_eq!(c.accounts.records[0], 1);
    }

    #[test]
    fn stubs_are_filled_and_mentions_by_handle_merge() {
        let mut b = CollectionBuilder::new();
        let mut rt = post("2", "7", 10, Origin::Record);
        rt.kind = PostKind::Retweet;
        rt.shared = Some(PostRef {
            id: "1",
            author: AccountRef {
                id: Some("8"),
                handle: None,
            },
        });
        let p = b.add_post(&rt).unwrap();
        b.add_mention(
            p,
            AccountRef {
                id: None,
                handle: Some("Bob"),
            },
        );
        b.add_profile(NewAccount {
            id: "9",
            handle: Some("bob"),
            profile: Profile::default(),
        });
        b.add_post(&post("1", "8", 3, Origin::Record)).unwrap();
        let (c, _) = b.finish();
        assert_eq!(c.posts.shared[0], 1);
        assert_eq!(c.posts.kind[0], PostKind::Retweet);
        assert!(c.posts.is_record(1));
        assert_eq!(c.posts.author[1], c.accounts.ids.get("8").unwrap());
        let bob = c.accounts.ids.get("9").unwrap();
        assert_eq!(
            c.posts.entities(0),
            &[Entity::new(EntityKind::Mention, bob)]
        );
    }

    /// A mention by handle finds the account that took the handle before it, whatever the
    /// case, and mentions of a handle no account took share one placeholder.
    #[test]
    fn handle_lookups_see_every_handle_taken_before_them() {
        let mut b = CollectionBuilder::new();
        b.add_profile(NewAccount {
            id: "9",
            handle: Some("Alice"),
            profile: Profile::default(),
        });
        let p = b.add_post(&post("1", "8", 3, Origin::Record)).unwrap();
        for handle in ["@ALICE", "carol", "Carol"] {
            b.add_mention(
                p,
                AccountRef {
                    id: None,
                    handle: Some(handle),
                },
            );
        }
        let (c, _) = b.finish();
        assert_eq!(c.accounts.len(), 3, "9, 8 and one placeholder for carol");
        let alice = c.accounts.ids.get("9").unwrap();
        let carol = c.accounts.ids.get("@carol").unwrap();
        let mut mentioned: Vec<AccountIx> = c.posts.entities(0).iter().map(|e| e.id()).collect();
        mentioned.sort_unstable();
        assert_eq!(mentioned, [alice, carol]);
    }

    #[test]
    fn merged_rows_add_entities() {
        let mut b = CollectionBuilder::new();
        let mut row = post("5", "1", 0, Origin::Record);
        row.merge_rows = true;
        let p = b.add_post(&row).unwrap();
        b.add_object(p, "img1");
        let p2 = b.add_post(&row).unwrap();
        b.add_object(p2, "img2");
        b.add_url(p2, "");
        let (c, counts) = b.finish();
        assert_eq!(counts.merged_rows, 1);
        assert_eq!(c.posts.entities(0).len(), 2);
        assert_eq!(c.accounts.records[0], 1);
    }
}
