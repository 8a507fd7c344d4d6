/*!
Twitter JSON in its common shapes, parsed into a [`Batch`].

One serde shape, [`RawTweet`], covers API v1.1 tweets (streaming or REST, compatibility or
extended mode), API v2 tweets (raw, and twarc2's flattened form with `author` and referenced
tweets inlined), v2 response pages (`data` + `includes`, twarc2's and the filtered stream's) and
academictwitteR's `users_*.json` expansions. Each line is classified by the fields it has, so one
file may mix shapes. Lines of the commonest shape, a v1.1 tweet, go first to a hand-written
reader (`json_v1.rs`) that fills the same struct in one pass; any line it does not fully
understand is parsed with sonic-rs and serde, borrowing strings and skipping the many fields we
do not need at SIMD speed.
*/

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::model::{Origin, PostKind, TextFingerprint};

use super::Parts;
use super::batch::{AccountStr, Batch, Op, PostRec, ProfileRec, RefStr, Str};
use super::error::SkipReason;
use super::time::{in_range, parse_any_time, parse_iso_date, parse_twitter_date};

#[path = "json_v1.rs"]
mod v1;

/// An id written as a JSON number or a string.
#[derive(Debug, Clone)]
enum IdVal<'a> {
    Num(u64),
    Str(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for IdVal<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdVal<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (number or string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(IdVal::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u64::try_from(v)
                    .map(IdVal::Num)
                    .map_err(|_| E::custom("negative id"))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(IdVal::Str(Cow::Borrowed("")))
            }
        }
        d.deserialize_any(V)
    }
}

fn collect_seq<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    mut seq: A,
) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
    while let Some(x) = seq.next_element()? {
        out.push(x);
    }
    Ok(out)
}

/// A list that may also be written as `{}` (academictwitteR's empty arrays) or `null`.
fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            collect_seq(seq)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// `data` is a list in search pages and a single object in the filtered stream. (A visitor,
/// not an untagged enum: that would buffer the value and lose borrowed raw fields.)
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object or a list of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            collect_seq(seq)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|x| vec![x])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A JSON string borrowed from the input when it has no escapes, copied when it has. (serde's
/// own `Cow<str>` always copies once wrapped in an `Option`: one allocation per field.)
#[derive(Debug, Clone, Default)]
struct Text<'a>(Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

type S<'a> = Option<Text<'a>>;

/// How deeply tweets may nest (a page holding a retweet of a quote is 3 deep). Hostile input can
/// nest thousands deep; refusing early keeps the parser's recursion off the end of the stack.
const MAX_TWEET_NESTING: u32 = 8;

thread_local! {
    static NESTING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A tweet nested in another JSON value, deserialized under the nesting limit.
struct Nested<T>(T);

impl<T> std::ops::Deref for Nested<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nested<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let depth = NESTING.get();
        if depth >= MAX_TWEET_NESTING {
            return Err(de::Error::custom("tweets nested too deeply"));
        }
        NESTING.set(depth + 1);
        let result = T::deserialize(d);
        NESTING.set(depth);
        result.map(Nested)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUser<'a> {
    #[serde(borrow)]
    id_str: S<'a>,
    #[serde(borrow)]
    id: Option<IdVal<'a>>,
    #[serde(borrow)]
    screen_name: S<'a>,
    #[serde(borrow)]
    username: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(borrow)]
    description: S<'a>,
    #[serde(borrow)]
    location: S<'a>,
    #[serde(borrow)]
    lang: S<'a>,
    #[serde(borrow)]
    created_at: S<'a>,
    followers_count: Option<u64>,
    friends_count: Option<u64>,
    statuses_count: Option<u64>,
    listed_count: Option<u64>,
    public_metrics: Option<UserMetrics>,
    default_profile: Option<bool>,
    default_profile_image: Option<bool>,
    verified: Option<bool>,
    #[serde(borrow)]
    profile_image_url: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserMetrics {
    followers_count: Option<u64>,
    following_count: Option<u64>,
    tweet_count: Option<u64>,
    listed_count: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawTag<'a> {
    #[serde(borrow)]
    text: S<'a>,
    #[serde(borrow)]
    tag: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUrl<'a> {
    #[serde(borrow)]
    url: S<'a>,
    #[serde(borrow)]
    expanded_url: S<'a>,
    #[serde(borrow)]
    unwound_url: S<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMention<'a> {
    #[serde(borrow)]
    screen_name: S<'a>,
    #[serde(borrow)]
    username: S<'a>,
    #[serde(borrow)]
    id_str: S<'a>,
    #[serde(borrow)]
    id: Option<IdVal<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEntities<'a> {
    #[serde(borrow, deserialize_with = "lenient_vec")]
    hashtags: Vec<RawTag<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    urls: Vec<RawUrl<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    user_mentions: Vec<RawMention<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    mentions: Vec<RawMention<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Extended<'a> {
    #[serde(borrow)]
    full_text: S<'a>,
    #[serde(borrow)]
    text: S<'a>,
    #[serde(borrow)]
    entities: Option<RawEntities<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Includes<'a> {
    #[serde(borrow, deserialize_with = "lenient_vec")]
    users: Vec<RawUser<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    tweets: Vec<Nested<RawTweet<'a>>>,
}

/// Every field of every tweet-bearing shape we read; see the module docs. Fields that most lines
/// lack are boxed: the struct is moved a few times per line, and a smaller one moves faster.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawTweet<'a> {
    #[serde(borrow)]
    id_str: S<'a>,
    #[serde(borrow)]
    id: Option<IdVal<'a>>,
    #[serde(borrow)]
    created_at: S<'a>,
    #[serde(borrow)]
    timestamp_ms: Option<IdVal<'a>>,
    #[serde(borrow)]
    text: S<'a>,
    #[serde(borrow)]
    full_text: S<'a>,
    #[serde(borrow)]
    extended_tweet: Option<Box<Extended<'a>>>,
    #[serde(borrow)]
    note_tweet: Option<Box<Extended<'a>>>,
    #[serde(borrow)]
    user: Option<Box<RawUser<'a>>>,
    #[serde(borrow)]
    author_id: Option<IdVal<'a>>,
    #[serde(borrow)]
    author: Option<Box<RawUser<'a>>>,
    #[serde(borrow)]
    retweeted_status: Option<Box<Nested<RawTweet<'a>>>>,
    #[serde(borrow)]
    quoted_status: Option<Box<Nested<RawTweet<'a>>>>,
    #[serde(borrow)]
    quoted_status_id_str: S<'a>,
    #[serde(borrow)]
    in_reply_to_status_id_str: S<'a>,
    #[serde(borrow)]
    in_reply_to_user_id_str: S<'a>,
    #[serde(borrow)]
    in_reply_to_screen_name: S<'a>,
    #[serde(borrow)]
    in_reply_to_user_id: Option<IdVal<'a>>,
    #[serde(borrow)]
    in_reply_to_status_id: Option<IdVal<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    referenced_tweets: Vec<Nested<RawTweet<'a>>>,
    #[serde(borrow, rename = "type")]
    ref_type: S<'a>,
    #[serde(borrow)]
    entities: Option<RawEntities<'a>>,
    #[serde(borrow)]
    source: S<'a>,
    /// The client named by `source`, when the reader has already cut it out.
    #[serde(skip)]
    client: S<'a>,
    #[serde(borrow)]
    lang: S<'a>,
    // Page and expansion shapes.
    #[serde(borrow, deserialize_with = "one_or_many")]
    data: Vec<Nested<RawTweet<'a>>>,
    #[serde(borrow)]
    includes: Option<Box<Includes<'a>>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    users: Vec<RawUser<'a>>,
    #[serde(borrow, deserialize_with = "lenient_vec")]
    tweets: Vec<Nested<RawTweet<'a>>>,
}

impl RawTweet<'_> {
    fn is_page(&self) -> bool {
        !self.data.is_empty()
            || self.includes.is_some()
            || !self.users.is_empty()
            || !self.tweets.is_empty()
    }

    fn looks_like_tweet(&self) -> bool {
        self.user.is_some()
            || self.author_id.is_some()
            || self.author.is_some()
            || self.text.is_some()
            || self.full_text.is_some()
    }
}

/// Which JSON shapes a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonFlavor {
    /// Whatever the fields say.
    Auto,
    /// Twitter API v1.1 only.
    V1,
    /// Twitter API v2 only.
    V2,
}

/// Stores an id given as a string field (`id_str`) or, failing that, as a number or string
/// (`id`); empty when neither is there.
fn store_id(batch: &mut Batch, text: Option<&str>, value: &Option<IdVal<'_>>) -> Str {
    match (text.filter(|s| !s.is_empty()), value) {
        (Some(s), _) => batch.str(s),
        (None, Some(IdVal::Num(n))) => batch.str_u64(*n),
        (None, Some(IdVal::Str(s))) => batch.str(s),
        (None, None) => Str::default(),
    }
}

/// The display name inside v1.1's `<a href="…" rel="nofollow">Name</a>`.
pub(crate) fn client_name(source: &str) -> &str {
    let s = source.trim();
    if let Some(rest) = s.strip_prefix("<a")
        && let (Some(gt), Some(end)) = (rest.find('>'), rest.rfind("</a>"))
        && gt < end
    {
        return rest[gt + 1..end].trim();
    }
    s
}

/// The handle retweeted in a `RT @handle:` prefix.
fn retweeted_handle(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("RT @")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn parse_time(t: &RawTweet<'_>) -> Result<i64, (SkipReason, String)> {
    let ms = if let Some(ts) = &t.timestamp_ms {
        match ts {
            IdVal::Num(n) => Some(*n as i64),
            IdVal::Str(s) => s.parse::<i64>().ok(),
        }
    } else {
        None
    };
    let ms = match (ms, t.created_at.as_deref()) {
        (Some(ms), _) => ms,
        (None, Some(c)) => match parse_twitter_date(c).or_else(|| parse_iso_date(c)) {
            Some(ms) => ms,
            None => match parse_any_time(c) {
                Some(ms) => ms,
                None => return Err((SkipReason::BadTime, format!("unparseable created_at {c:?}"))),
            },
        },
        (None, None) => return Err((SkipReason::MissingTime, "no created_at".into())),
    };
    if !in_range(ms) {
        return Err((
            SkipReason::TimeOutOfRange,
            format!("time {ms} ms is out of range"),
        ));
    }
    Ok(ms)
}

/// Converts parsed JSON into batch operations.
struct Emitter<'b> {
    batch: &'b mut Batch,
    flavor: JsonFlavor,
    scratch: String,
}

impl Emitter<'_> {
    fn profile(&mut self, u: &RawUser<'_>, seen_ms: i64) -> AccountStr {
        let b = &mut *self.batch;
        let id = store_id(b, u.id_str.as_deref(), &u.id);
        if id == Str::default() {
            return AccountStr::default();
        }
        let handle = b.str(
            u.screen_name
                .as_deref()
                .or(u.username.as_deref())
                .unwrap_or(""),
        );
        let metrics = u.public_metrics.as_ref();
        let created_ms = u
            .created_at
            .as_deref()
            .and_then(|c| parse_twitter_date(c).or_else(|| parse_iso_date(c)))
            .unwrap_or(crate::model::NO_TIME);
        let default_image = u.default_profile_image.or_else(|| {
            u.profile_image_url
                .as_deref()
                .map(|p| p.contains("default_profile_images"))
        });
        let rec = ProfileRec {
            id,
            handle,
            name: b.str(u.name.as_deref().unwrap_or("")),
            bio: b.str(u.description.as_deref().unwrap_or("")),
            location: b.str(u.location.as_deref().unwrap_or("")),
            lang: b.str(u.lang.as_deref().unwrap_or("")),
            created_ms,
            counts: [
                u.followers_count
                    .or(metrics.and_then(|m| m.followers_count)),
                u.friends_count.or(metrics.and_then(|m| m.following_count)),
                u.statuses_count.or(metrics.and_then(|m| m.tweet_count)),
                u.listed_count.or(metrics.and_then(|m| m.listed_count)),
            ],
            flags: [u.default_profile, default_image, u.verified],
            seen_ms,
        };
        b.push_profile(rec);
        AccountStr { id, handle }
    }

    fn entities(&mut self, e: &RawEntities<'_>, skip_handle: Option<&str>) {
        for h in &e.hashtags {
            if let Some(tag) = h.text.as_deref().or(h.tag.as_deref()) {
                self.batch.push_hashtag(tag);
            }
        }
        for u in &e.urls {
            let url = u
                .unwound_url
                .as_deref()
                .filter(|s| !s.is_empty())
                .or(u.expanded_url.as_deref().filter(|s| !s.is_empty()))
                .or(u.url.as_deref());
            if let Some(url) = url {
                self.batch.push_url(url);
            }
        }
        for m in e.user_mentions.iter().chain(&e.mentions) {
            let handle = m
                .screen_name
                .as_deref()
                .or(m.username.as_deref())
                .unwrap_or("");
            if skip_handle.is_some_and(|h| h.eq_ignore_ascii_case(handle)) {
                continue;
            }
            let id = store_id(self.batch, m.id_str.as_deref(), &m.id);
            let handle = self.batch.str(handle);
            if id == Str::default() && handle == Str::default() {
                continue;
            }
            let a = AccountStr { id, handle };
            self.batch.ops.push(Op::Mention(a));
        }
    }

    /// Emits one tweet (v1.1 or v2 shape) and the originals embedded in it. `profile_seen` is
    /// the time at which embedded profiles were observed (the outer record's time).
    fn tweet(
        &mut self,
        t: &RawTweet<'_>,
        origin: Origin,
        profile_seen: Option<i64>,
    ) -> Result<RefStr, (SkipReason, String)> {
        if t.id_str.as_deref().is_none_or(str::is_empty)
            && !matches!(&t.id, Some(IdVal::Num(_)))
            && !matches!(&t.id, Some(IdVal::Str(s)) if !s.is_empty())
        {
            return Err((SkipReason::MissingId, "tweet without id".to_string()));
        }
        let v1 = t.user.is_some() || t.id_str.is_some() || t.retweeted_status.is_some();
        match self.flavor {
            JsonFlavor::V1 if !v1 => {
                return Err((SkipReason::NotATweet, "not a Twitter API v1.1 tweet".into()));
            }
            JsonFlavor::V2 if v1 => {
                return Err((SkipReason::NotATweet, "not a Twitter API v2 tweet".into()));
            }
            _ => {}
        }
        let time_ms = parse_time(t)?;
        let seen = profile_seen.unwrap_or(time_ms);
        // The author: v1.1's `user`, flattened v2's `author`, or v2's `author_id`.
        let author = match t.user.as_deref().or(t.author.as_deref()) {
            Some(u) => {
                let a = self.profile(u, seen);
                if a.id == Str::default() {
                    return Err((SkipReason::MissingAuthor, "user object without id".into()));
                }
                a
            }
            None => {
                let id = store_id(self.batch, None, &t.author_id);
                if id == Str::default() {
                    return Err((SkipReason::MissingAuthor, "tweet without author".into()));
                }
                AccountStr {
                    id,
                    handle: Str::default(),
                }
            }
        };

        // Embedded originals first, so that references resolve to full posts.
        let mut shared = None;
        let mut kind = PostKind::Original;
        if let Some(rt) = &t.retweeted_status {
            shared = self.tweet(rt, Origin::Embedded, Some(seen)).ok();
            kind = PostKind::Retweet;
        }
        let mut quoted = None;
        if let Some(q) = &t.quoted_status {
            quoted = self.tweet(q, Origin::Embedded, Some(seen)).ok();
        }
        if quoted.is_none()
            && let Some(qid) = t.quoted_status_id_str.as_deref().filter(|s| !s.is_empty())
        {
            quoted = Some(RefStr {
                id: self.batch.str(qid),
                author: AccountStr::default(),
            });
        }
        let mut reply_to = None;
        let reply_id = store_id(
            self.batch,
            t.in_reply_to_status_id_str.as_deref(),
            &t.in_reply_to_status_id,
        );
        // v2 references, inlined (flattened) or bare.
        for r in &t.referenced_tweets {
            let rid = store_id(self.batch, None, &r.id);
            if rid == Str::default() {
                continue;
            }
            let bare = RefStr {
                id: rid,
                author: AccountStr::default(),
            };
            let inline = r.author_id.is_some() || r.author.is_some();
            let target = if inline {
                self.tweet(r, Origin::Embedded, Some(seen)).unwrap_or(bare)
            } else {
                bare
            };
            match r.ref_type.as_deref() {
                Some("retweeted") => {
                    shared = Some(target);
                    kind = PostKind::Retweet;
                }
                Some("quoted") => quoted = Some(target),
                Some("replied_to") => reply_to = Some(target),
                _ => {}
            }
        }
        if reply_to.is_none() && reply_id != Str::default() {
            let author_id = store_id(
                self.batch,
                t.in_reply_to_user_id_str.as_deref(),
                &t.in_reply_to_user_id,
            );
            let handle = self
                .batch
                .str(t.in_reply_to_screen_name.as_deref().unwrap_or(""));
            reply_to = Some(RefStr {
                id: reply_id,
                author: AccountStr {
                    id: author_id,
                    handle,
                },
            });
        } else if let Some(r) = reply_to.as_mut()
            && r.author.id == Str::default()
        {
            r.author.id = store_id(self.batch, None, &t.in_reply_to_user_id);
        }
        if kind != PostKind::Retweet {
            if quoted.is_some() {
                kind = PostKind::Quote;
                shared = quoted;
            } else if reply_to.is_some() {
                kind = PostKind::Reply;
            }
        }

        let text = t
            .extended_tweet
            .as_ref()
            .and_then(|e| e.full_text.as_deref())
            .or(t.note_tweet.as_ref().and_then(|n| n.text.as_deref()))
            .or(t.full_text.as_deref())
            .or(t.text.as_deref())
            .unwrap_or("");
        let (text_str, fingerprint) = if kind == PostKind::Retweet || !self.batch.parts.text {
            (Str::default(), TextFingerprint::NONE)
        } else {
            (
                self.batch.str(text),
                TextFingerprint::of_text(text, &mut self.scratch),
            )
        };
        let client = match t.client.as_deref() {
            Some(name) => name,
            None => client_name(t.source.as_deref().unwrap_or("")),
        };
        let client = self.batch.str(client);
        let lang = self.batch.str(t.lang.as_deref().unwrap_or(""));
        let id_str = store_id(self.batch, t.id_str.as_deref(), &t.id);
        self.batch.ops.push(Op::Post(PostRec {
            id: id_str,
            author,
            time_ms,
            kind,
            origin,
            shared,
            reply_to,
            fingerprint,
            text: text_str,
            client,
            lang,
            merge_rows: false,
        }));
        let entities = t
            .extended_tweet
            .as_ref()
            .and_then(|e| e.entities.as_ref())
            .or(t.note_tweet.as_ref().and_then(|n| n.entities.as_ref()))
            .or(t.entities.as_ref());
        if let Some(e) = entities {
            let rt_handle = if kind == PostKind::Retweet {
                retweeted_handle(text)
            } else {
                None
            };
            self.entities(e, rt_handle);
        }
        Ok(RefStr { id: id_str, author })
    }

    /// A v2 page: expansions first (profiles, embedded tweets), then the records.
    fn page(&mut self, page: &RawTweet<'_>, line: u64) {
        let seen = page
            .data
            .iter()
            .filter_map(|t| t.created_at.as_deref().and_then(parse_iso_date))
            .max();
        let users = page
            .includes
            .iter()
            .flat_map(|i| &i.users)
            .chain(&page.users);
        for u in users {
            self.profile(u, seen.unwrap_or(crate::model::NO_TIME));
        }
        let embedded = page
            .includes
            .iter()
            .flat_map(|i| &i.tweets)
            .chain(&page.tweets);
        for t in embedded {
            let _ = self.tweet(t, Origin::Embedded, seen);
        }
        if !page.data.is_empty() && !page.data.iter().any(|t| t.looks_like_tweet()) {
            // A users, lists or counts page: one payload, one skipped record.
            self.batch.records += 1;
            self.batch
                .skip(line, SkipReason::NotATweet, "page data holds no tweets");
            return;
        }
        for t in &page.data {
            self.batch.records += 1;
            if !t.looks_like_tweet() {
                self.batch
                    .skip(line, SkipReason::NotATweet, "page data item is not a tweet");
                continue;
            }
            if let Err((reason, detail)) = self.tweet(t, Origin::Record, None) {
                self.batch.skip(line, reason, detail);
            }
        }
    }

    fn document(&mut self, t: &RawTweet<'_>, line: u64) {
        if t.is_page() {
            self.page(t, line);
        } else if t.looks_like_tweet() {
            self.batch.records += 1;
            if let Err((reason, detail)) = self.tweet(t, Origin::Record, None) {
                self.batch.skip(line, reason, detail);
            }
        } else {
            self.batch.records += 1;
            self.batch
                .skip(line, SkipReason::NotATweet, "JSON object holds no tweet");
        }
    }
}

/// The deepest JSON nesting accepted. The parser skips unknown values recursively, so hostile
/// input nested far deeper would run it off the end of the stack.
const MAX_JSON_DEPTH: usize = 1000;

/// Whether `json` nests containers deeper than [`MAX_JSON_DEPTH`]. Cheap for ordinary lines:
/// the opening brackets are counted (a vectorised loop), and only a line with more of them than
/// the limit is scanned for its real depth, strings skipped.
fn nests_too_deep(json: &[u8]) -> bool {
    let openers: usize = json
        .chunks(255)
        .map(|c| {
            usize::from(
                c.iter()
                    .fold(0u8, |n, &b| n + u8::from(b == b'{' || b == b'[')),
            )
        })
        .sum();
    if openers <= MAX_JSON_DEPTH {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in json {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn parse_raw(json: &[u8]) -> Result<RawTweet<'_>, (SkipReason, String)> {
    if nests_too_deep(json) {
        return Err((
            SkipReason::InvalidJson,
            format!("nested deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    sonic_rs::from_slice::<RawTweet<'_>>(json).map_err(|e| json_error(json, &e))
}

fn json_error(bytes: &[u8], e: &sonic_rs::Error) -> (SkipReason, String) {
    if std::str::from_utf8(bytes).is_err() {
        return (SkipReason::InvalidUtf8, "line is not valid UTF-8".into());
    }
    // sonic-rs appends a multi-line excerpt; the first line says what and where.
    let mut msg = e.to_string().lines().next().unwrap_or_default().to_string();
    if msg.len() > 200 {
        let mut cut = 200;
        while !msg.is_char_boundary(cut) {
            cut -= 1;
        }
        msg.truncate(cut);
        msg.push('…');
    }
    (SkipReason::InvalidJson, msg)
}

/// Parses newline-delimited JSON; `chunk` holds whole lines. Line numbers in the batch are
/// relative to the chunk (1-based).
pub(crate) fn parse_json_lines(chunk: &[u8], flavor: JsonFlavor, batch: &mut Batch) {
    let mut em = Emitter {
        batch,
        flavor,
        scratch: String::new(),
    };
    let mut line_no = 0u64;
    let mut start = 0;
    // memchr finds line ends a vector at a time; a byte-by-byte split cost a tenth of ingest.
    let ends = memchr::memchr_iter(b'\n', chunk).chain(std::iter::once(chunk.len()));
    for end in ends {
        let line = &chunk[start..end];
        start = end + 1;
        line_no += 1;
        let line = line.trim_ascii();
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let parsed = match v1::parse_v1_line(line) {
            Some(t) => Ok(t),
            None => parse_raw(line),
        };
        match parsed {
            Ok(t) => em.document(&t, line_no),
            // JSON has no place for a NUL byte, so the parser refuses such lines; the check
            // runs on refused lines alone, to name the reason.
            Err(_) if line.contains(&0) => {
                em.batch.records += 1;
                em.batch
                    .skip(line_no, SkipReason::InvalidJson, "line contains NUL bytes");
            }
            Err((reason, detail)) => {
                em.batch.records += 1;
                em.batch.skip(line_no, reason, detail);
            }
        }
    }
    // A chunk ends with a newline, so splitting yields one empty tail that is not a line.
    em.batch.lines = if chunk.is_empty() {
        0
    } else {
        line_no.saturating_sub(u64::from(chunk.ends_with(b"\n")))
    };
    em.batch.key_posts();
}

/// Parses one JSON document: an array of tweets (academictwitteR's `data_*.json`) or a single
/// object (a page, an expansion file such as `users_*.json`, a tweet). `expansions` is an
/// optional companion document (`users_*.json`) whose users and tweets are read first.
pub(crate) fn parse_json_document(
    doc: &[u8],
    expansions: Option<&[u8]>,
    flavor: JsonFlavor,
    parts: Parts,
) -> Batch {
    let mut batch = Batch::new();
    batch.parts = parts;
    let mut em = Emitter {
        batch: &mut batch,
        flavor,
        scratch: String::new(),
    };
    if let Some(exp) = expansions {
        match sonic_rs::from_slice::<RawTweet<'_>>(exp.trim_ascii()) {
            Ok(t) => em.page(&t, 0),
            Err(e) => {
                let (reason, detail) = json_error(exp, &e);
                em.batch
                    .skip(0, reason, format!("expansion file: {detail}"));
            }
        }
    }
    let doc = doc.trim_ascii();
    let doc = doc.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(doc);
    if nests_too_deep(doc) {
        em.batch.records += 1;
        em.batch.skip(
            0,
            SkipReason::InvalidJson,
            format!("nested deeper than {MAX_JSON_DEPTH} levels"),
        );
    } else if doc.first() == Some(&b'[') {
        let mut index = 0usize;
        for item in sonic_rs::to_array_iter(doc) {
            index += 1;
            let raw = match item {
                Ok(raw) => raw,
                Err(e) => {
                    // The array itself is broken: nothing after this point can be trusted.
                    em.batch.records += 1;
                    let (reason, detail) = json_error(doc, &e);
                    em.batch
                        .skip(0, reason, format!("array element {index}: {detail}"));
                    break;
                }
            };
            let text = raw.as_raw_str();
            match sonic_rs::from_str::<RawTweet<'_>>(text) {
                Ok(t) => em.document(&t, 0),
                Err(e) => {
                    em.batch.records += 1;
                    let (reason, detail) = json_error(text.as_bytes(), &e);
                    em.batch
                        .skip(0, reason, format!("array element {index}: {detail}"));
                }
            }
        }
    } else if !doc.is_empty() {
        match parse_raw(doc) {
            Ok(t) => em.document(&t, 0),
            Err((reason, detail)) => {
                em.batch.records += 1;
                em.batch.skip(0, reason, detail);
            }
        }
    }
    batch.key_posts();
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_come_out_of_anchors() {
        assert_eq!(
            client_name(r#"<a href="https://x" rel="nofollow">Tweetbot for Mac</a>"#),
            "Tweetbot for Mac"
        );
        assert_eq!(client_name("Twitter for Android"), "Twitter for Android");
    }

    #[test]
    fn retweet_prefix_names_the_original_author() {
        assert_eq!(retweeted_handle("RT @some_one: hi"), Some("some_one"));
        assert_eq!(retweeted_handle("hi RT @x"), None);
    }
}
