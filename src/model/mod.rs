/*!
The in-memory model every stage reads: posts and accounts in a columnar store.

A [`Collection`] holds one column per field (struct of arrays) so that graph building can scan
exactly the fields it needs, in parallel, without chasing pointers. Posts and accounts are named
by dense `u32` indices; strings that repeat (hashtags, URLs, domains, clients, languages,
handles) are interned once. [`CollectionBuilder`] is the only way to fill a collection: it
deduplicates posts by id, upgrades posts first seen embedded in another record, and keeps the
latest profile of each account.
*/

mod builder;
mod ids;
mod intern;
mod text;
mod url;

pub use builder::{
    AccountRef, BuildCounts, CollectionBuilder, NewAccount, NewPost, PostRef, Profile,
};
pub(crate) use builder::{PostKeys, ProfileView};
pub(crate) use ids::{IdKey, advise_huge_pages, prefetch_line, prefetch_lines};
pub use ids::{IdSpace, canonical_number};
pub use intern::{Interner, Sym};
pub use text::{TextFingerprint, for_each_normalized_word, normalize_text};
pub use url::{domain_of, normalize_url};

/// Index of a post in [`Posts`].
pub type PostIx = u32;
/// Index of an account in [`Accounts`].
pub type AccountIx = u32;
/// "No value" in an index or symbol column.
pub const NONE: u32 = u32::MAX;
/// "Unknown time" in a time column.
pub const NO_TIME: i64 = i64::MIN;

/// What a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum PostKind {
    /// A post of its own (also: the kind of posts known only by id).
    Original = 0,
    /// A retweet: [`Posts::shared`] names the retweeted post.
    Retweet = 1,
    /// A reply: [`Posts::reply_to`] names the post replied to.
    Reply = 2,
    /// A quote: [`Posts::shared`] names the quoted post; a quote may also be a reply.
    Quote = 3,
}

impl PostKind {
    /// The lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            PostKind::Original => "original",
            PostKind::Retweet => "retweet",
            PostKind::Reply => "reply",
            PostKind::Quote => "quote",
        }
    }
}

/// How a post came into the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Origin {
    /// Only its id (and maybe its author) is known, from a reference in another post.
    Stub = 0,
    /// Seen in full, but only inside another record (a retweeted or quoted original, an
    /// expansion in `includes`): not a record of the collection itself.
    Embedded = 1,
    /// A record of the collection.
    Record = 2,
}

/// What a post names besides its author: a hashtag, URL, mentioned account or generic object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entity(u32);

/// The kinds of [`Entity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum EntityKind {
    /// A symbol of [`Collection::hashtags`] (case-folded).
    Hashtag = 0,
    /// A symbol of [`Collection::urls`] (normalised).
    Url = 1,
    /// An account index: the mentioned account.
    Mention = 2,
    /// A symbol of [`Collection::objects`]: an object named by a CSV column (an image hash, a
    /// shared item id).
    Object = 3,
    /// A symbol of [`Collection::domains`] given on its own (a CSV domain column), not through a
    /// URL.
    Domain = 4,
}

impl Entity {
    /// The largest symbol an entity can hold.
    pub const MAX_ID: u32 = (1 << 29) - 1;

    /// An entity of `kind` naming `id`.
    ///
    /// # Panics
    /// If `id > Entity::MAX_ID`.
    pub fn new(kind: EntityKind, id: u32) -> Self {
        assert!(id <= Self::MAX_ID, "entity id out of range");
        Entity((kind as u32) << 29 | id)
    }

    /// Its kind.
    pub fn kind(self) -> EntityKind {
        match self.0 >> 29 {
            0 => EntityKind::Hashtag,
            1 => EntityKind::Url,
            2 => EntityKind::Mention,
            3 => EntityKind::Object,
            _ => EntityKind::Domain,
        }
    }

    /// The symbol or account index it names.
    pub fn id(self) -> u32 {
        self.0 & Self::MAX_ID
    }
}

/// Post columns: index `p` of every column describes post `p`.
#[derive(Debug, Default)]
pub struct Posts {
    /// External post ids; the index of an id is the post index.
    pub ids: IdSpace,
    /// Author, or [`NONE`] for a stub whose author is unknown.
    pub author: Vec<AccountIx>,
    /// Time in milliseconds since the Unix epoch (UTC), or [`NO_TIME`] for stubs.
    pub time_ms: Vec<i64>,
    /// What the post is.
    pub kind: Vec<PostKind>,
    /// How the post came into the collection.
    pub origin: Vec<Origin>,
    /// The retweeted or quoted post, or [`NONE`].
    pub shared: Vec<PostIx>,
    /// The post replied to, or [`NONE`].
    pub reply_to: Vec<PostIx>,
    /// Fingerprint of the normalised text (see [`normalize_text`]); empty when no post has a
    /// text (read it through [`Posts::fingerprint`]).
    pub fingerprint: Vec<TextFingerprint>,
    /// The client (`source`) symbol in [`Collection::clients`], or [`NONE`]; empty when no
    /// post names its client (read it through [`Posts::client`]).
    pub client: Vec<Sym>,
    /// The language symbol in [`Collection::languages`], or [`NONE`]; empty when no post
    /// names its language (read it through [`Posts::lang`]).
    pub lang: Vec<Sym>,
    /// `entities[entity_start[p]..entity_start[p + 1]]` are the entities of post `p`, sorted.
    pub entity_start: Vec<u32>,
    /// Entities of all posts, grouped by post.
    pub entities: Vec<Entity>,
    /// `text[text_start[p]..text_start[p + 1]]` is the text of post `p`; empty for retweets,
    /// whose text is the retweeted post's.
    pub text_start: Vec<u64>,
    /// Texts of all posts, concatenated.
    pub text: String,
}

impl Posts {
    /// Number of posts (records, embedded and stubs).
    pub fn len(&self) -> usize {
        self.author.len()
    }

    /// Whether there are no posts.
    pub fn is_empty(&self) -> bool {
        self.author.is_empty()
    }

    /// The text fingerprint of post `p` ([`TextFingerprint::NONE`] without text).
    pub fn fingerprint(&self, p: PostIx) -> TextFingerprint {
        self.fingerprint
            .get(p as usize)
            .copied()
            .unwrap_or(TextFingerprint::NONE)
    }

    /// The client symbol of post `p`, or [`NONE`].
    pub fn client(&self, p: PostIx) -> Sym {
        self.client.get(p as usize).copied().unwrap_or(NONE)
    }

    /// The language symbol of post `p`, or [`NONE`].
    pub fn lang(&self, p: PostIx) -> Sym {
        self.lang.get(p as usize).copied().unwrap_or(NONE)
    }

    /// The entities of post `p`.
    pub fn entities(&self, p: PostIx) -> &[Entity] {
        let p = p as usize;
        &self.entities[self.entity_start[p] as usize..self.entity_start[p + 1] as usize]
    }

    /// The text of post `p` (empty for retweets and stubs).
    pub fn text(&self, p: PostIx) -> &str {
        let p = p as usize;
        &self.text[self.text_start[p] as usize..self.text_start[p + 1] as usize]
    }

    /// Whether post `p` is a record of the collection (not embedded, not a stub).
    pub fn is_record(&self, p: PostIx) -> bool {
        self.origin[p as usize] == Origin::Record
    }
}

/// Account columns: index `a` of every column describes account `a`.
#[derive(Debug, Default)]
pub struct Accounts {
    /// External account ids; the index of an id is the account index.
    pub ids: IdSpace,
    /// Handle (screen name) symbol in [`Accounts::handles`], or [`NONE`].
    pub handle: Vec<Sym>,
    /// Index into [`Accounts::profiles`], or [`NONE`] when no profile was seen.
    pub profile: Vec<u32>,
    /// Time of the account's first record in the collection (ms), or [`NO_TIME`].
    pub first_ms: Vec<i64>,
    /// Time of the account's last record in the collection (ms), or [`NO_TIME`].
    pub last_ms: Vec<i64>,
    /// Number of records the account authored.
    pub records: Vec<u32>,
    /// Interned handles, as written (case kept).
    pub handles: Interner,
    /// Profiles as last seen.
    pub profiles: Vec<Profile>,
}

impl Accounts {
    /// Number of accounts (authors, mentioned and referenced accounts).
    pub fn len(&self) -> usize {
        self.handle.len()
    }

    /// Whether there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.handle.is_empty()
    }

    /// The handle of account `a`, if known.
    pub fn handle(&self, a: AccountIx) -> Option<&str> {
        let h = self.handle[a as usize];
        (h != NONE).then(|| self.handles.resolve(h))
    }

    /// The profile of account `a`, if one was seen.
    pub fn profile(&self, a: AccountIx) -> Option<&Profile> {
        let p = self.profile[a as usize];
        (p != NONE).then(|| &self.profiles[p as usize])
    }
}

/// A collection of posts and the accounts behind them.
#[derive(Debug, Default)]
pub struct Collection {
    /// The posts.
    pub posts: Posts,
    /// The accounts.
    pub accounts: Accounts,
    /// Case-folded hashtags, without `#`.
    pub hashtags: Interner,
    /// Normalised URLs (see [`normalize_url`]).
    pub urls: Interner,
    /// Host names of URLs, lower-cased, without `www.`.
    pub domains: Interner,
    /// The domain symbol of each URL symbol.
    pub url_domain: Vec<Sym>,
    /// Generic objects named by CSV columns.
    pub objects: Interner,
    /// Clients (`source`), as their display names.
    pub clients: Interner,
    /// Language codes.
    pub languages: Interner,
}

impl Collection {
    /// The external id of post `p`, as the source wrote it.
    pub fn post_id(&self, p: PostIx) -> std::borrow::Cow<'_, str> {
        self.posts.ids.external(p)
    }

    /// The external id of account `a`, as the source wrote it.
    pub fn account_id(&self, a: AccountIx) -> std::borrow::Cow<'_, str> {
        self.accounts.ids.external(a)
    }

    /// Indices of the records (posts that are records of the collection), in input order.
    pub fn records(&self) -> impl Iterator<Item = PostIx> + '_ {
        (0..self.posts.len() as PostIx).filter(|&p| self.posts.is_record(p))
    }

    /// Approximate heap bytes held by posts, accounts and interners, text excluded.
    pub fn heap_bytes_without_text(&self) -> usize {
        let p = &self.posts;
        p.ids.heap_bytes()
            + p.author.capacity() * 4
            + p.time_ms.capacity() * 8
            + p.kind.capacity()
            + p.origin.capacity()
            + p.shared.capacity() * 4
            + p.reply_to.capacity() * 4
            + p.fingerprint.capacity() * 8
            + p.client.capacity() * 4
            + p.lang.capacity() * 4
            + p.entity_start.capacity() * 4
            + p.entities.capacity() * 4
            + self.accounts.ids.heap_bytes()
            + self.accounts.handle.capacity() * 4
            + self.accounts.profile.capacity() * 4
            + self.accounts.first_ms.capacity() * 8
            + self.accounts.last_ms.capacity() * 8
            + self.accounts.records.capacity() * 4
            + self.accounts.handles.heap_bytes()
            + self.accounts.profiles.capacity() * std::mem::size_of::<Profile>()
            + self.hashtags.heap_bytes()
            + self.urls.heap_bytes()
            + self.domains.heap_bytes()
            + self.url_domain.capacity() * 4
            + self.objects.heap_bytes()
            + self.clients.heap_bytes()
            + self.languages.heap_bytes()
    }
}
