/*!
A fast reader for the common case: one Twitter API v1.1 tweet per line.

It fills the same [`RawTweet`] that serde fills, walking the bytes once with a hand-written key
dispatcher: fields we read are parsed in place, every other value is skipped with full JSON
validation, and no visitor, field enum or `Option` layer stands between the bytes and the
struct. It gives up (returns `None`) on anything it does not fully understand (v2 and page
shapes, escaped keys, unusual value types, duplicate fields, deep nesting, control bytes, invalid
UTF-8), and the caller then parses the line with serde, so the result on any input is the one
serde gives. It is at least as strict as sonic-rs's validating parser: whatever it accepts, serde
accepts too, into the same values.
*/

use std::borrow::Cow;

use super::{Extended, IdVal, Nested, RawEntities, RawMention, RawTag, RawTweet, RawUrl, RawUser};
use super::{Text, client_name};

/// How deeply this reader follows embedded tweets (a retweet of a quote is 2); deeper lines go to
/// serde, which enforces the real limit.
const MAX_EMBEDDED: u32 = 3;

/// How deeply skipped values may nest before the line goes to serde and its depth check.
const MAX_SKIP_DEPTH: u32 = 64;

/// Reads `line` (trimmed, without a byte-order mark) as a v1.1 tweet, or says it cannot.
///
/// Returns the tweet exactly as `sonic_rs::from_slice::<RawTweet>` would, with `client` filled
/// in, or `None` when the line needs the general parser.
///
/// Complexity: one pass over the line, plus one UTF-8 check.
pub(super) fn parse_v1_line(line: &[u8]) -> Option<RawTweet<'_>> {
    // No byte below 0x20 may appear inside a JSON string, and compact lines have none between
    // tokens: refusing them all up front leaves the string scanner two bytes to look for.
    if has_control_bytes(line) {
        return None;
    }
    let text = simdutf8::basic::from_utf8(line).ok()?;
    let mut p = Parser {
        s: text,
        b: line,
        i: 0,
        scratch: String::new(),
    };
    let t = p.tweet(0)?;
    (p.i == line.len()).then_some(t)
}

/// Whether any byte is below 0x20; a vectorisable fold, not a branch per byte.
fn has_control_bytes(b: &[u8]) -> bool {
    b.chunks(64)
        .any(|c| c.iter().fold(false, |acc, &x| acc | (x < 0x20)))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` that is zero (exact for the lowest such byte).
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// Reused for decoding escaped `source` strings.
    scratch: String,
}

/// Which known fields an object has shown, to refuse duplicates as serde does.
#[derive(Default)]
struct Seen(u64);

impl Seen {
    #[inline(always)]
    fn first(&mut self, bit: u32) -> Option<()> {
        let m = 1u64 << bit;
        if self.0 & m != 0 {
            return None;
        }
        self.0 |= m;
        Some(())
    }
}

impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while self.b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    /// Skips spaces and consumes `c`, or fails.
    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// After an opening quote: finds the closing one, validating escapes. Returns the content's
    /// range and whether it holds escapes.
    #[inline(always)]
    fn string_body(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.i;
        let mut escaped = false;
        loop {
            // Eight bytes at a time to the next quote or backslash.
            let hit = loop {
                match self.b.get(self.i..).and_then(|r| r.first_chunk::<8>()) {
                    Some(c) => {
                        let w = u64::from_le_bytes(*c);
                        let m = zero_bytes(w ^ (ONES * u64::from(b'"')))
                            | zero_bytes(w ^ (ONES * u64::from(b'\\')));
                        if m != 0 {
                            self.i += (m.trailing_zeros() / 8) as usize;
                            break self.peek()?;
                        }
                        self.i += 8;
                    }
                    None => {
                        let c = self.peek()?;
                        if c == b'"' || c == b'\\' {
                            break c;
                        }
                        self.i += 1;
                    }
                }
            };
            if hit == b'"' {
                let end = self.i;
                self.i += 1;
                return Some((start, end, escaped));
            }
            escaped = true;
            match *self.b.get(self.i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                b'u' => {
                    let hex = self.b.get(self.i + 2..self.i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.i += 6;
                }
                _ => return None,
            }
        }
    }

    /// A key: consumes `"…":` and returns its bytes; escaped keys are refused.
    #[inline(always)]
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let (s, e, escaped) = self.string_body()?;
        if escaped {
            return None;
        }
        self.eat(b':')?;
        self.b.get(s..e)
    }

    /// After a value in an object: `true` at `,`, `false` at `}`.
    #[inline(always)]
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            Some(true)
        } else if c == close {
            Some(false)
        } else {
            None
        }
    }

    /// Walks an object, calling `field` for each key with the value still to read. An empty
    /// object calls nothing.
    #[inline(always)]
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let k = self.key()?;
            self.ws();
            field(self, k)?;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// Whether the next value is `null` (consumed if so).
    #[inline(always)]
    fn null(&mut self) -> Option<bool> {
        self.ws();
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(true);
        }
        Some(false)
    }

    #[inline]
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + lit.len())? == lit {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }

    /// Skips one value of any type, validating it.
    fn skip(&mut self, depth: u32) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.string_body()?;
            }
            b'{' => {
                if depth >= MAX_SKIP_DEPTH {
                    return None;
                }
                self.object(|p, _| p.skip(depth + 1))?;
            }
            b'[' => {
                if depth >= MAX_SKIP_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                } else {
                    loop {
                        self.skip(depth + 1)?;
                        if !self.more(b']')? {
                            break;
                        }
                    }
                }
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        }
        Some(())
    }

    /// Skips a number per the JSON grammar.
    fn number(&mut self) -> Option<()> {
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        Some(())
    }

    #[inline(always)]
    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// A plain non-negative integer that fits a `u64`; fractions, exponents, signs and leading
    /// zeros are refused.
    #[inline]
    fn u64_value(&mut self) -> Option<u64> {
        let first = self.peek()?;
        let n: u64 = match first {
            b'0' => {
                self.i += 1;
                0
            }
            b'1'..=b'9' => {
                let mut n = 0u64;
                while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
                    n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                    self.i += 1;
                }
                n
            }
            _ => return None,
        };
        if matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            return None;
        }
        Some(n)
    }

    /// A string value, borrowed when it has no escapes.
    #[inline]
    fn text(&mut self) -> Option<Text<'a>> {
        self.eat(b'"')?;
        let (s, e, escaped) = self.string_body()?;
        if escaped {
            let mut out = String::new();
            decode_escaped(self.s.get(s..e)?, &mut out)?;
            Some(Text(Cow::Owned(out)))
        } else {
            Some(Text(Cow::Borrowed(self.s.get(s..e)?)))
        }
    }

    /// `Option<Text>` as serde reads it: `null` is `None`.
    #[inline]
    fn opt_text(&mut self) -> Option<Option<Text<'a>>> {
        if self.null()? {
            return Some(None);
        }
        self.text().map(Some)
    }

    #[inline]
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        if self.null()? {
            return Some(None);
        }
        self.u64_value().map(Some)
    }

    #[inline]
    fn opt_bool(&mut self) -> Option<Option<bool>> {
        self.ws();
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| Some(true)),
            b'f' => self.literal(b"false").map(|()| Some(false)),
            b'n' => self.literal(b"null").map(|()| None),
            _ => None,
        }
    }

    /// `Option<IdVal>`: a number, a string or `null`.
    #[inline]
    fn opt_id(&mut self) -> Option<Option<IdVal<'a>>> {
        self.ws();
        match self.peek()? {
            b'n' => self.literal(b"null").map(|()| None),
            b'"' => self.text().map(|t| Some(IdVal::Str(t.0))),
            _ => self.u64_value().map(|n| Some(IdVal::Num(n))),
        }
    }

    /// The client named by `source`, decoded and cut out as [`client_name`] does; borrowed from
    /// the line when the name's bytes appear there verbatim, as they do unless it holds a quote
    /// or a slash.
    fn source(&mut self, t: &mut RawTweet<'a>) -> Option<()> {
        if self.null()? {
            return Some(());
        }
        self.eat(b'"')?;
        let (s, e, escaped) = self.string_body()?;
        if !escaped {
            let src = self.s.get(s..e)?;
            t.source = Some(Text(Cow::Borrowed(src)));
            t.client = Some(Text(Cow::Borrowed(client_name(src))));
            return Some(());
        }
        let raw = self.s.get(s..e)?;
        // Only the client name is read from `source`; an empty value keeps it "present".
        t.source = Some(Text(Cow::Borrowed("")));
        if let Some((from, to)) = raw_anchor_name(raw.as_bytes()) {
            t.client = Some(Text(Cow::Borrowed(raw.get(from..to)?.trim())));
            return Some(());
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        decode_escaped(raw, &mut scratch)?;
        let name = client_name(&scratch);
        let found = memchr::memmem::find(raw.as_bytes(), name.as_bytes())
            .and_then(|at| raw.get(at..at + name.len()));
        t.client = Some(match found {
            Some(n) if !name.is_empty() => Text(Cow::Borrowed(n)),
            _ => Text(Cow::Owned(name.to_owned())),
        });
        self.scratch = scratch;
        Some(())
    }

    /// A v1.1 tweet object; `depth` counts the tweets it is embedded in.
    fn tweet(&mut self, depth: u32) -> Option<RawTweet<'a>> {
        let mut t = RawTweet::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"id_str" => {
                    seen.first(0)?;
                    t.id_str = p.opt_text()?;
                }
                b"id" => {
                    seen.first(1)?;
                    t.id = p.opt_id()?;
                }
                b"created_at" => {
                    seen.first(2)?;
                    t.created_at = p.opt_text()?;
                }
                b"timestamp_ms" => {
                    seen.first(3)?;
                    t.timestamp_ms = p.opt_id()?;
                }
                b"text" => {
                    seen.first(4)?;
                    t.text = p.opt_text()?;
                }
                b"full_text" => {
                    seen.first(5)?;
                    t.full_text = p.opt_text()?;
                }
                b"extended_tweet" => {
                    seen.first(6)?;
                    if !p.null()? {
                        t.extended_tweet = Some(Box::new(p.extended()?));
                    }
                }
                b"user" => {
                    seen.first(7)?;
                    if !p.null()? {
                        t.user = Some(Box::new(p.user()?));
                    }
                }
                b"retweeted_status" | b"quoted_status" => {
                    let retweet = k == b"retweeted_status";
                    seen.first(if retweet { 8 } else { 9 })?;
                    if !p.null()? {
                        if depth + 1 >= MAX_EMBEDDED {
                            return None;
                        }
                        let inner = Some(Box::new(Nested(p.tweet(depth + 1)?)));
                        if retweet {
                            t.retweeted_status = inner;
                        } else {
                            t.quoted_status = inner;
                        }
                    }
                }
                b"quoted_status_id_str" => {
                    seen.first(10)?;
                    t.quoted_status_id_str = p.opt_text()?;
                }
                b"in_reply_to_status_id_str" => {
                    seen.first(11)?;
                    t.in_reply_to_status_id_str = p.opt_text()?;
                }
                b"in_reply_to_user_id_str" => {
                    seen.first(12)?;
                    t.in_reply_to_user_id_str = p.opt_text()?;
                }
                b"in_reply_to_screen_name" => {
                    seen.first(13)?;
                    t.in_reply_to_screen_name = p.opt_text()?;
                }
                b"in_reply_to_user_id" => {
                    seen.first(14)?;
                    t.in_reply_to_user_id = p.opt_id()?;
                }
                b"in_reply_to_status_id" => {
                    seen.first(15)?;
                    t.in_reply_to_status_id = p.opt_id()?;
                }
                b"entities" => {
                    seen.first(16)?;
                    if !p.null()? {
                        t.entities = Some(p.entities()?);
                    }
                }
                b"source" => {
                    seen.first(17)?;
                    p.source(&mut t)?;
                }
                b"lang" => {
                    seen.first(18)?;
                    t.lang = p.opt_text()?;
                }
                // Fields of the v2 and page shapes: the general parser's business.
                b"note_tweet" | b"author_id" | b"author" | b"referenced_tweets" | b"type"
                | b"data" | b"includes" | b"users" | b"tweets" => return None,
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(t)
    }

    fn extended(&mut self) -> Option<Extended<'a>> {
        let mut x = Extended::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"full_text" => {
                    seen.first(0)?;
                    x.full_text = p.opt_text()?;
                }
                b"text" => {
                    seen.first(1)?;
                    x.text = p.opt_text()?;
                }
                b"entities" => {
                    seen.first(2)?;
                    if !p.null()? {
                        x.entities = Some(p.entities()?);
                    }
                }
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(x)
    }

    fn user(&mut self) -> Option<RawUser<'a>> {
        let mut u = RawUser::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"id_str" => {
                    seen.first(0)?;
                    u.id_str = p.opt_text()?;
                }
                b"id" => {
                    seen.first(1)?;
                    u.id = p.opt_id()?;
                }
                b"screen_name" => {
                    seen.first(2)?;
                    u.screen_name = p.opt_text()?;
                }
                b"name" => {
                    seen.first(3)?;
                    u.name = p.opt_text()?;
                }
                b"description" => {
                    seen.first(4)?;
                    u.description = p.opt_text()?;
                }
                b"location" => {
                    seen.first(5)?;
                    u.location = p.opt_text()?;
                }
                b"lang" => {
                    seen.first(6)?;
                    u.lang = p.opt_text()?;
                }
                b"created_at" => {
                    seen.first(7)?;
                    u.created_at = p.opt_text()?;
                }
                b"followers_count" => {
                    seen.first(8)?;
                    u.followers_count = p.opt_u64()?;
                }
                b"friends_count" => {
                    seen.first(9)?;
                    u.friends_count = p.opt_u64()?;
                }
                b"statuses_count" => {
                    seen.first(10)?;
                    u.statuses_count = p.opt_u64()?;
                }
                b"listed_count" => {
                    seen.first(11)?;
                    u.listed_count = p.opt_u64()?;
                }
                b"default_profile" => {
                    seen.first(12)?;
                    u.default_profile = p.opt_bool()?;
                }
                b"default_profile_image" => {
                    seen.first(13)?;
                    u.default_profile_image = p.opt_bool()?;
                }
                b"verified" => {
                    seen.first(14)?;
                    u.verified = p.opt_bool()?;
                }
                b"profile_image_url" => {
                    seen.first(15)?;
                    u.profile_image_url = p.opt_text()?;
                }
                b"username" | b"public_metrics" => return None,
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(u)
    }

    fn entities(&mut self) -> Option<RawEntities<'a>> {
        let mut e = RawEntities::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"hashtags" => {
                    seen.first(0)?;
                    e.hashtags = p.list(Self::tag)?;
                }
                b"urls" => {
                    seen.first(1)?;
                    e.urls = p.list(Self::url)?;
                }
                b"user_mentions" => {
                    seen.first(2)?;
                    e.user_mentions = p.list(Self::mention)?;
                }
                b"mentions" => return None,
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(e)
    }

    /// A list of objects, or `null` for none; `{}` (lenient in serde) is left to serde.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if self.null()? {
            return Some(Vec::new());
        }
        self.eat(b'[')?;
        let mut out = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            if !self.more(b']')? {
                return Some(out);
            }
        }
    }

    fn tag(&mut self) -> Option<RawTag<'a>> {
        let mut h = RawTag::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"text" => {
                    seen.first(0)?;
                    h.text = p.opt_text()?;
                }
                b"tag" => return None,
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(h)
    }

    fn url(&mut self) -> Option<RawUrl<'a>> {
        let mut u = RawUrl::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"url" => {
                    seen.first(0)?;
                    u.url = p.opt_text()?;
                }
                b"expanded_url" => {
                    seen.first(1)?;
                    u.expanded_url = p.opt_text()?;
                }
                b"unwound_url" => {
                    seen.first(2)?;
                    u.unwound_url = p.opt_text()?;
                }
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(u)
    }

    fn mention(&mut self) -> Option<RawMention<'a>> {
        let mut m = RawMention::default();
        let mut seen = Seen::default();
        self.object(|p, k| {
            match k {
                b"screen_name" => {
                    seen.first(0)?;
                    m.screen_name = p.opt_text()?;
                }
                b"id_str" => {
                    seen.first(1)?;
                    m.id_str = p.opt_text()?;
                }
                b"id" => {
                    seen.first(2)?;
                    m.id = p.opt_id()?;
                }
                b"username" => return None,
                _ => p.skip(0)?,
            }
            Some(())
        })?;
        Some(m)
    }
}

/// Where [`client_name`] would cut the name out of the escaped string `raw` (as in
/// `<a href=\"…\" rel=\"nofollow\">Name</a>`), found without decoding it: when `raw` starts
/// with `<a` and ends with `</a>`, no `\u` escape comes before the first `>` (one could decode
/// to `>`), and the name holds no escape, the decoded string has the same cut points around the
/// same bytes. `None` when any of that fails.
fn raw_anchor_name(raw: &[u8]) -> Option<(usize, usize)> {
    if !raw.starts_with(b"<a") || !raw.ends_with(b"</a>") {
        return None;
    }
    let gt = 2 + memchr::memchr(b'>', raw.get(2..)?)?;
    let end = raw.len() - 4;
    if gt >= end {
        return None;
    }
    let head = raw.get(..gt)?;
    if memchr::memchr_iter(b'\\', head).any(|i| head.get(i + 1) == Some(&b'u')) {
        return None;
    }
    let name = raw.get(gt + 1..end)?;
    if memchr::memchr(b'\\', name).is_some() {
        return None;
    }
    Some((gt + 1, end))
}

/// Decodes the content of a JSON string with escapes (already validated) into `out`. Lone
/// surrogates are refused (left to the general parser).
fn decode_escaped(raw: &str, out: &mut String) -> Option<()> {
    let mut rest = raw;
    loop {
        let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) else {
            out.push_str(rest);
            return Some(());
        };
        out.push_str(rest.get(..at)?);
        let c = *rest.as_bytes().get(at + 1)?;
        rest = rest.get(at + 2..)?;
        let decoded = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(rest.as_bytes())?;
                rest = rest.get(4..)?;
                if (0xD800..0xDC00).contains(&hi) {
                    let lo = match rest.as_bytes() {
                        [b'\\', b'u', tail @ ..] => hex4(tail)?,
                        _ => return None,
                    };
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    rest = rest.get(6..)?;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    char::from_u32(hi)?
                }
            }
            _ => return None,
        };
        out.push(decoded);
    }
}

/// Four hex digits as a number.
fn hex4(b: &[u8]) -> Option<u32> {
    b.get(..4)?.iter().try_fold(0u32, |n, &c| {
        let d = char::from(c).to_digit(16)?;
        Some(n * 16 + d)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{Batch, Emitter, JsonFlavor, parse_raw};
    use super::*;

    /// What a line becomes under each flavour, in every detail the batch records.
    fn emitted(t: &RawTweet<'_>) -> String {
        let mut out = String::new();
        for flavor in [JsonFlavor::Auto, JsonFlavor::V1, JsonFlavor::V2] {
            let mut batch = Batch::new();
            let mut em = Emitter {
                batch: &mut batch,
                flavor,
                scratch: String::new(),
            };
            em.document(t, 1);
            out.push_str(&format!("{batch:?}\n"));
        }
        out
    }

    /// Whether the fast reader took `line`; when it did, serde must accept the line and emit
    /// exactly the same.
    fn agrees(line: &[u8]) -> Result<bool, TestCaseError> {
        let Some(fast) = parse_v1_line(line) else {
            return Ok(false);
        };
        let slow = parse_raw(line);
        prop_assert!(
            slow.is_ok(),
            "serde refuses a line the fast reader took: {:?}",
            String::from_utf8_lossy(line)
        );
        let slow = slow.unwrap_or_default();
        prop_assert_eq!(
            emitted(&fast),
            emitted(&slow),
            "line {:?}",
            String::from_utf8_lossy(line)
        );
        Ok(true)
    }

    const PLAIN: &str = r#"{"created_at":"Mon Feb 01 09:25:42 +0000 2016","id":694089228162695168,"id_str":"694089228162695168","text":"Debate \"Macron\" Le Pen #FrenchElection @bob https://t.co/x","source":"<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>","truncated":false,"in_reply_to_status_id":null,"in_reply_to_status_id_str":null,"in_reply_to_user_id":null,"in_reply_to_user_id_str":null,"in_reply_to_screen_name":null,"user":{"id":432377077,"id_str":"432377077","name":"Lucía","screen_name":"LuciaGr","location":"Casablanca","url":null,"description":"RT \u2260 endorsement \ud83d\ude00","protected":false,"verified":false,"followers_count":17,"friends_count":476,"listed_count":0,"favourites_count":119,"statuses_count":211,"created_at":"Thu Oct 14 02:54:48 +0000 2010","lang":"it","profile_image_url":"https://abs.twimg.com/sticky/default_profile_images/x.png","default_profile":true},"place":{"bounding_box":{"coordinates":[[[-1.5,2e3],[0.25E-2,-0]]]}},"is_quote_status":false,"retweet_count":0,"favorite_count":0,"entities":{"hashtags":[{"text":"FrenchElection","indices":[21,36]}],"urls":[{"url":"https://t.co/x","expanded_url":"https://example.org/a?b=1","indices":[1,2]}],"user_mentions":[{"screen_name":"bob","id":12,"id_str":"12","indices":[3,4]}],"symbols":[]},"lang":"it","timestamp_ms":"1454318742205"}"#;

    const RETWEET: &str = r#"{"created_at": "Mon Feb 01 10:00:00 +0000 2016", "id": 700, "id_str": "700", "text": "RT @alice: hello #Tag", "source": "web", "user": {"id": 5, "id_str": "5", "screen_name": "eve", "created_at": "Thu Oct 14 02:54:48 +0000 2010"}, "retweeted_status": {"created_at": "Mon Feb 01 09:00:00 +0000 2016", "id": 600, "id_str": "600", "text": "hello #Tag", "truncated": true, "extended_tweet": {"full_text": "hello #Tag and more\nlines", "entities": {"hashtags": [{"text": "Tag"}], "urls": [], "user_mentions": []}}, "user": {"id": 4, "id_str": "4", "screen_name": "alice"}, "quoted_status_id_str": "500", "quoted_status": {"created_at": "Sun Jan 31 09:00:00 +0000 2016", "id": 500, "id_str": "500", "full_text": "quoted", "user": {"id": 3, "screen_name": "carol"}, "lang": "en"}, "entities": {"hashtags": [{"text": "Tag"}]}}, "entities": {"hashtags": [{"text": "Tag"}], "user_mentions": [{"screen_name": "alice", "id_str": "4"}, {"screen_name": "dave", "id": 9}]}, "lang": "en"}"#;

    const REPLY: &str = r#"{"created_at":"Tue Feb 02 10:00:00 +0000 2016","id_str":"800","full_text":"@eve yes\t\/ no","in_reply_to_status_id":700,"in_reply_to_status_id_str":"700","in_reply_to_user_id":5,"in_reply_to_screen_name":"eve","user":{"id_str":"6","screen_name":"frank","followers_count":0,"default_profile_image":true},"entities":{"hashtags":null,"urls":[{"url":"https://t.co/y","expanded_url":null}],"user_mentions":[]},"source":"<a href=\"x\">Bot \/ \"One\"</a>","extended_tweet":null,"quoted_status":null}"#;

    const SEEDS: [&str; 3] = [PLAIN, RETWEET, REPLY];

    #[test]
    fn v1_lines_take_the_fast_path_and_agree_with_serde() {
        for seed in SEEDS {
            assert!(agrees(seed.as_bytes()).unwrap(), "fast path refused {seed}");
        }
    }

    #[test]
    fn generated_v1_lines_take_the_fast_path_and_agree_with_serde() {
        let opts = crate::generate::GenerateOptions {
            seed: 3,
            scale: 0.002,
            format: crate::generate::OutputFormat::V11,
        };
        let (mut tweets, mut truth) = (Vec::new(), Vec::new());
        crate::generate::generate(&opts, &mut tweets, &mut truth).unwrap();
        let lines: Vec<&[u8]> = tweets
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert!(lines.len() > 1000);
        for line in lines {
            assert!(
                agrees(line).unwrap(),
                "fast path refused {}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn odd_lines_go_to_serde() {
        for line in [
            // Duplicate fields are an error for serde.
            r#"{"id_str":"1","id_str":"2","text":"x","user":{"id":1}}"#,
            r#"{"id_str":"1","text":"x","user":{"id":1,"id":2}}"#,
            // v2 and page shapes.
            r#"{"id":"1","text":"x","author_id":"2"}"#,
            r#"{"data":[{"id":"1","text":"x","author_id":"2"}]}"#,
            // Escaped keys, lone surrogates, trailing bytes, retyped values.
            r#"{"id\u005fstr":"1","text":"x","user":{"id":1}}"#,
            r#"{"id_str":"1","text":"\ud800","user":{"id":1}}"#,
            r#"{"id_str":"1","text":"x","user":{"id":1}} x"#,
            r#"{"id_str":1,"text":"x","user":{"id":1}}"#,
            r#"{"id_str":"1","text":"x","user":{"id":-1}}"#,
            r#"{"id_str":"1","text":"x","user":{"id":1.0}}"#,
            r#"{"id_str":"1","text":"x","user":{"id":1},"entities":{"hashtags":{}}}"#,
            "[1]",
            "{\"id_str\":\"1\",\t\"text\":\"x\"}",
        ] {
            assert!(parse_v1_line(line.as_bytes()).is_none(), "{line}");
        }
    }

    /// Changes that keep a line's shape often, or break it in the ways real damage does.
    fn mutate(line: &str, edits: &[(u8, usize, u8)]) -> Vec<u8> {
        const INSERTS: [&str; 12] = [
            r#""id_str":"9","#,
            r#""user":null,"#,
            r#""x":[{"a":[1,-2.5e+3,true]}],"#,
            r#"\u00e9"#,
            r#"\ud83d\ude00"#,
            r#"\ud800"#,
            r#"\""#,
            "\\",
            " ",
            "null",
            "\u{0}",
            "\u{e9}",
        ];
        const BYTES: &[u8] = b"\"\\{}[],:0-.eEntf1 \x01\xff\xc3";
        let mut b = line.as_bytes().to_vec();
        for &(op, at, x) in edits {
            let at = at % (b.len() + 1);
            match op % 5 {
                0 => {
                    if at < b.len() {
                        b[at] = BYTES[usize::from(x) % BYTES.len()];
                    }
                }
                1 => {
                    let end = (at + usize::from(x % 16)).min(b.len());
                    b.drain(at..end);
                }
                2 => {
                    let ins = INSERTS[usize::from(x) % INSERTS.len()].as_bytes();
                    b.splice(at..at, ins.iter().copied());
                }
                3 => {
                    // Duplicates a stretch: repeated keys, repeated objects.
                    let end = (at + usize::from(x)).min(b.len());
                    let copy = b[at..end].to_vec();
                    b.splice(end..end, copy);
                }
                _ => {
                    if at < b.len() {
                        b[at] = x;
                    }
                }
            }
        }
        b
    }

    #[test]
    fn anchor_names_are_cut_as_client_name_cuts_them() {
        for raw in [
            r#"<a href=\"http://x\" rel=\"nofollow\">Twitter for iPhone</a>"#,
            r#"<a href=\"x\"> Spaced </a>"#,
            r#"<a href=\"\u003e\">name</a>"#,
            r#"<a></a>"#,
            r#"<a</a>"#,
            r#"<a href=\"x\">a\/b</a>"#,
            r#"<a href=\"x\">ab<\/a>"#,
        ] {
            let mut decoded = String::new();
            decode_escaped(raw, &mut decoded).unwrap();
            if let Some((from, to)) = raw_anchor_name(raw.as_bytes()) {
                assert_eq!(raw[from..to].trim(), client_name(&decoded), "{raw}");
            }
        }
        assert!(raw_anchor_name(br#"<a href=\"x\">Bot</a>"#).is_some());
        assert!(raw_anchor_name(br#"<a href=\"\u003e\">name</a>"#).is_none());
    }

    #[test]
    fn every_single_byte_change_agrees_with_serde() {
        let (mut lines, mut taken) = (0, 0);
        for seed in SEEDS {
            for at in 0..seed.len() {
                for &x in b"\"\\{}[],:0-.eEntf1 \x01\xff" {
                    let mut line = seed.as_bytes().to_vec();
                    line[at] = x;
                    lines += 1;
                    taken += usize::from(agrees(&line).unwrap());
                    line.remove(at);
                    lines += 1;
                    taken += usize::from(agrees(&line).unwrap());
                }
            }
        }
        // Changes inside strings and to numbers keep many lines valid: the fast reader must
        // take a good share of them, or this test would not be testing it.
        assert!(taken * 2 > lines, "{taken} of {lines}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        /// Whatever the damage, the fast reader never panics, and any line it takes reads as
        /// serde reads it.
        #[test]
        fn mutated_v1_lines_agree_with_serde(
            seed in 0usize..SEEDS.len(),
            edits in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..4),
        ) {
            let line = mutate(SEEDS[seed], &edits);
            agrees(&line)?;
        }

        /// Wherever the escapes fall, a name cut from the raw bytes is the one cut from the
        /// decoded string.
        #[test]
        fn raw_anchor_names_agree(parts in proptest::collection::vec(0usize..12, 0..24)) {
            const PIECES: [&str; 12] =
                ["<a", "</a>", ">", "<", "a", " ", "\\\"", "\\/", "\\u003e", "\\\\", "x", "\\n"];
            let raw: String = parts.iter().map(|&i| PIECES[i]).collect();
            let mut decoded = String::new();
            if decode_escaped(&raw, &mut decoded).is_some()
                && let Some((from, to)) = raw_anchor_name(raw.as_bytes()) {
                    prop_assert_eq!(raw[from..to].trim(), client_name(&decoded), "{}", raw);
                }
        }

        /// Arbitrary bytes never panic the fast reader.
        #[test]
        fn arbitrary_bytes_never_panic_the_fast_reader(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut line = b"{\"id_str\":\"1\",".to_vec();
            line.extend_from_slice(&bytes);
            agrees(&line)?;
            agrees(&bytes)?;
        }
    }
}
