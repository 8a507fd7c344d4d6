/*!
Post texts and their entities, re-derived from a compact [`Spec`] whenever they are written.

A post in the plan carries only a `Spec` (topic, language, a parameter and a seed); the text,
hashtags, links and mentions are rebuilt from it, so a retweet can embed its original without the
original being kept in memory. Entity offsets are tracked in bytes (for slicing) and in
characters (Twitter's `indices`).
*/

use rand::Rng;

use super::rng::{self, Domain, Stream, pick};
use super::time::{DAY, civil_from_days};
use super::vocab;
use super::world::{World, push_tags};
use super::{Group, Persona};

/// What a post is about; the generator's content kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Topic {
    /// Everyday campaign talk; `param` = persona | phase << 4.
    Chat,
    /// An article shared with a share button; `param` = media position.
    Share,
    /// A media outlet's own article post; `param` = phase.
    News,
    /// A short reply.
    Reply,
    /// A short comment on a quoted post.
    Quote,
    /// Leak-pushing post; `param` = 0 English, 1 French.
    Leak,
    /// A candidate's campaign line; `param` = candidate.
    Candidate,
    /// A fast-retweet squad leader's post; `param` = squad.
    Lead,
    /// A 2016 pro-Trump post.
    Trump2016,
    /// A reactivated account's leak post; `param` = cohort.
    DormantLeak,
    /// A copy-paste team's message; `param` = team, seed = template << 32 | variant.
    Copy,
    /// A hashtag-pusher post; `param` = team.
    Push,
    /// A follow-back ring post; `param` = ring.
    Ring,
}

/// Everything needed to rebuild a post's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub(crate) topic: Topic,
    pub(crate) lang: u8,
    pub(crate) param: u16,
    pub(crate) seed: u64,
}

/// Phases of the campaign, for what people talk about.
pub(crate) mod phase {
    pub(crate) const EARLY: u16 = 0;
    pub(crate) const DEBATE: u16 = 1;
    pub(crate) const LEAK: u16 = 3;
    pub(crate) const RESULTS: u16 = 4;
}

/// An entity's position: `id` (tag id or account index), byte and character offsets.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    pub(crate) id: u32,
    pub(crate) b0: u32,
    pub(crate) b1: u32,
    pub(crate) c0: u32,
    pub(crate) c1: u32,
}

/// A link: the t.co form is in the text at `span`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Link {
    pub(crate) span: Span,
    pub(crate) expanded: String,
    pub(crate) display: String,
}

/// A built text with its entities.
#[derive(Debug, Clone, Default)]
pub(crate) struct Content {
    pub(crate) text: String,
    chars: u32,
    pub(crate) tags: Vec<Span>,
    pub(crate) links: Vec<Link>,
    pub(crate) mentions: Vec<Span>,
}

impl Content {
    /// Empties it for reuse.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.chars = 0;
        self.tags.clear();
        self.links.clear();
        self.mentions.clear();
    }

    fn here(&self) -> (u32, u32) {
        (self.text.len() as u32, self.chars)
    }

    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count() as u32;
    }

    fn space(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.raw(" ");
        }
    }

    /// Appends words; `#tags` among them become hashtag entities when the vocabulary has them.
    fn words(&mut self, s: &str, world: &World) {
        for (i, token) in s.split(' ').enumerate() {
            if token.is_empty() {
                continue;
            }
            if i > 0 || !matches!(token, "." | "!" | "…" | "," | ":" | "?") {
                self.space();
            }
            if let Some(tag) = token.strip_prefix('#') {
                let name = tag.trim_end_matches(['.', ',', '!', '?', ':', '…']);
                if let Some(id) = world.tags.id(name) {
                    let (b0, c0) = self.here();
                    self.raw("#");
                    self.raw(name);
                    let (b1, c1) = self.here();
                    self.tags.push(Span { id, b0, b1, c0, c1 });
                    self.raw(&tag[name.len()..]);
                    continue;
                }
            }
            self.raw(token);
        }
    }

    /// Appends a hashtag from the vocabulary, written as `case` says (0 usual, 1 lower, 2
    /// upper).
    fn tag(&mut self, id: u32, case: u8, world: &World) {
        self.space();
        let (b0, c0) = self.here();
        self.raw("#");
        let name = world.tags.name(id);
        match case {
            1 => self.raw(&name.to_lowercase()),
            2 => self.raw(&name.to_uppercase()),
            _ => self.raw(name),
        }
        let (b1, c1) = self.here();
        self.tags.push(Span { id, b0, b1, c0, c1 });
    }

    fn tag_named(&mut self, name: &str, world: &World) {
        if let Some(id) = world.tags.id(name) {
            self.tag(id, 0, world);
        }
    }

    /// Appends an `@mention` of an account.
    pub(crate) fn mention(&mut self, account: u32, world: &World) {
        self.space();
        let (b0, c0) = self.here();
        self.raw("@");
        self.raw(world.handle(account));
        let (b1, c1) = self.here();
        self.mentions.push(Span {
            id: account,
            b0,
            b1,
            c0,
            c1,
        });
    }

    /// Appends a t.co link to `expanded`; the short code depends on the post and link number.
    fn link(&mut self, expanded: String, post_id: u64) {
        self.space();
        let (b0, c0) = self.here();
        let code = rng::mix(post_id ^ (self.links.len() as u64).wrapping_mul(0x9E37));
        self.raw("https://t.co/");
        let mut c = code;
        for _ in 0..10 {
            let d = (c % 62) as u8;
            c /= 62;
            let ch = match d {
                0..=9 => b'0' + d,
                10..=35 => b'a' + d - 10,
                _ => b'A' + d - 36,
            };
            self.text.push(char::from(ch));
            self.chars += 1;
        }
        let (b1, c1) = self.here();
        let bare = expanded
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let bare = bare.trim_start_matches("www.");
        let display = if bare.chars().count() > 26 {
            let cut: String = bare.chars().take(25).collect();
            format!("{cut}…")
        } else {
            bare.to_owned()
        };
        self.links.push(Link {
            span: Span {
                id: 0,
                b0,
                b1,
                c0,
                c1,
            },
            expanded,
            display,
        });
    }

    /// Prefixes the whole text with `prefix` (no entities in it), shifting every entity.
    pub(crate) fn shift_for_prefix(&mut self, bytes: u32, chars: u32) {
        for s in self.tags.iter_mut().chain(self.mentions.iter_mut()) {
            s.b0 += bytes;
            s.b1 += bytes;
            s.c0 += chars;
            s.c1 += chars;
        }
        for l in &mut self.links {
            l.span.b0 += bytes;
            l.span.b1 += bytes;
            l.span.c0 += chars;
            l.span.c1 += chars;
        }
    }

    /// The text of a span.
    pub(crate) fn slice(&self, s: &Span) -> &str {
        &self.text[s.b0 as usize..s.b1 as usize]
    }
}

/// Builds the content of a post with id `post_id` from its spec.
pub(crate) fn build(spec: &Spec, post_id: u64, world: &World, out: &mut Content) {
    out.clear();
    let mut rng = rng::stream(
        world.seed,
        Domain::Content,
        spec.seed,
        u64::from(spec.topic as u8),
    );
    match spec.topic {
        Topic::Chat => chat(spec, post_id, world, &mut rng, out),
        Topic::Share => {
            let media = world.group(Group::Media);
            let outlet = media[usize::from(spec.param) % media.len()];
            let article = rng.random_range(0..ARTICLES_PER_OUTLET);
            article_text(world, outlet, article, out);
            out.words("via", world);
            out.mention(outlet, world);
            out.link(article_url(world, outlet, article), post_id);
        }
        Topic::News => {
            let media = world.group(Group::Media);
            let outlet = media[(spec.seed >> 40) as usize % media.len()];
            let article = rng.random_range(0..ARTICLES_PER_OUTLET);
            article_text(world, outlet, article, out);
            if rng.random_bool(0.4) {
                let t = pick(
                    &mut rng,
                    &["Presidentielle2017", "France2017", "FrenchElection"],
                );
                out.tag_named(t, world);
            }
            if spec.param == phase::LEAK
                && world.accounts[outlet as usize].persona == Persona::EnMaga
            {
                out.tag_named("MacronLeaks", world);
            }
            out.link(article_url(world, outlet, article), post_id);
        }
        Topic::Reply => {
            let list = if spec.lang == 0 {
                vocab::FR_REPLY
            } else {
                vocab::EN_REPLY
            };
            out.words(pick(&mut rng, list), world);
        }
        Topic::Quote => {
            let list = if spec.lang == 0 {
                vocab::FR_QUOTE
            } else {
                vocab::EN_QUOTE
            };
            out.words(pick(&mut rng, list), world);
            if rng.random_bool(0.2) {
                out.tag_named(
                    pick(
                        &mut rng,
                        &["Presidentielle2017", "FrenchElection", "Macron", "LePen"],
                    ),
                    world,
                );
            }
        }
        Topic::Leak | Topic::DormantLeak => leak(spec, post_id, world, &mut rng, out),
        Topic::Candidate => {
            out.words(pick(&mut rng, vocab::CANDIDATE_FR), world);
            let tag = if spec.param == 0 {
                "EnMarche"
            } else {
                "Marine2017"
            };
            out.tag_named(tag, world);
            if rng.random_bool(0.3) {
                out.tag_named("Presidentielle2017", world);
            }
        }
        Topic::Lead => {
            if spec.lang == 1 {
                out.words(pick(&mut rng, vocab::LEAK_EN_OPEN), world);
                out.words(pick(&mut rng, vocab::EN_SUBJ), world);
                out.words(pick(&mut rng, vocab::EN_PRED), world);
                for t in ["FrenchElection", "Frexit", "Marine2017", "MAGA"] {
                    if rng.random_bool(0.35) {
                        out.tag_named(t, world);
                    }
                }
            } else {
                out.words(pick(&mut rng, vocab::COPY_FR_BODY), world);
                out.tag_named(
                    pick(&mut rng, &["Marine2017", "JeVoteMarine", "AuNomDuPeuple"]),
                    world,
                );
            }
            if rng.random_bool(0.6) {
                let url = squad_url(world, spec.param, rng.random_range(0..4));
                out.link(url, post_id);
            }
        }
        Topic::Trump2016 => {
            out.words(pick(&mut rng, vocab::TRUMP_BODY), world);
            let n = rng.random_range(1..=3);
            for _ in 0..n {
                out.tag_named(pick(&mut rng, vocab::TRUMP_TAGS), world);
            }
        }
        Topic::Copy => copy(spec, post_id, world, out),
        Topic::Push => {
            let list = if spec.lang == 1 {
                vocab::PUSH_EN
            } else {
                vocab::PUSH_FR
            };
            out.words(pick(&mut rng, list), world);
            if rng.random_bool(0.5) {
                let list = if spec.lang == 1 {
                    vocab::EN_SUBJ
                } else {
                    vocab::FR_SUBJ
                };
                out.words(pick(&mut rng, list), world);
                let list = if spec.lang == 1 {
                    vocab::EN_PRED
                } else {
                    vocab::FR_PRED
                };
                out.words(pick(&mut rng, list), world);
            }
            let (team, burst) = (spec.param & 0x3FF, spec.param >> 10);
            let tags = push_tags(usize::from(team));
            let n = rng.random_range(2..=3);
            for t in tags.iter().take(n) {
                out.tag_named(t, world);
            }
            if rng.random_bool(0.3) {
                out.tag_named(
                    pick(&mut rng, &["Presidentielle2017", "France", "7mai"]),
                    world,
                );
            }
            if rng.random_bool(0.6) {
                // Each burst pushes one video to everyone in the team.
                let k = rng::key(
                    world.seed,
                    Domain::Link,
                    3 << 40 | u64::from(team),
                    u64::from(burst),
                );
                let mut url = String::from("https://www.youtube.com/watch?v=");
                let mut c = k;
                for _ in 0..11 {
                    let d = (c % 64) as u8;
                    c /= 64;
                    url.push(char::from(match d {
                        0..=9 => b'0' + d,
                        10..=35 => b'a' + d - 10,
                        36..=61 => b'A' + d - 36,
                        62 => b'-',
                        _ => b'_',
                    }));
                }
                out.link(url, post_id);
            }
        }
        Topic::Ring => {
            out.words(pick(&mut rng, vocab::RING_BODY), world);
            let n = rng.random_range(1..=3);
            for _ in 0..n {
                out.tag_named(pick(&mut rng, vocab::RING_TAGS), world);
            }
        }
    }
}

/// Articles each outlet has during the collection.
const ARTICLES_PER_OUTLET: u32 = 60;

fn article_text(world: &World, outlet: u32, article: u32, out: &mut Content) {
    let mut rng = rng::stream(
        world.seed,
        Domain::Link,
        u64::from(outlet),
        u64::from(article),
    );
    if world.accounts[outlet as usize].lang == 0 {
        out.words(pick(&mut rng, vocab::HEADLINE_A), world);
        out.words(pick(&mut rng, vocab::HEADLINE_B), world);
    } else {
        out.words(
            pick(&mut rng, &["Analysis:", "Live:", "Explainer:", "Opinion:"]),
            world,
        );
        out.words(pick(&mut rng, vocab::EN_SUBJ), world);
        out.words(pick(&mut rng, vocab::EN_PRED), world);
    }
}

fn article_url(world: &World, outlet: u32, article: u32) -> String {
    let day = 27 + (article % 11);
    let (m, d) = if day > 30 { (5, day - 30) } else { (4, day) };
    let slug = rng::key(
        world.seed,
        Domain::Link,
        u64::from(outlet),
        u64::from(article),
    ) % 900_000;
    format!(
        "https://www.{}/politique/2017/{m:02}/{d:02}/article-{}",
        world.domain_of_media(outlet),
        100_000 + slug
    )
}

/// The `k`-th link of the leak (a small shared pool, so links co-occur).
fn leak_url(world: &World, k: u64) -> String {
    let code = rng::key(world.seed, Domain::Link, 1 << 40, k);
    let domain = vocab::LEAK_DOMAINS[(k as usize) % vocab::LEAK_DOMAINS.len()];
    let mut s = format!("https://{domain}/");
    let mut c = code;
    for _ in 0..8 {
        let d = (c % 36) as u8;
        c /= 36;
        s.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
    s
}

/// The `k`-th link pushed by squad `squad` (alternative-media articles).
fn squad_url(world: &World, squad: u16, k: u32) -> String {
    let (_, _, domain) = vocab::ALT_MEDIA[usize::from(squad) % vocab::ALT_MEDIA.len()];
    let n = rng::key(
        world.seed,
        Domain::Link,
        2 << 40 | u64::from(squad),
        u64::from(k),
    ) % 90_000;
    format!("https://{domain}/2017/05/french-election-{}", 10_000 + n)
}

fn chat(spec: &Spec, post_id: u64, world: &World, rng: &mut Stream, out: &mut Content) {
    let persona = Persona::from_bits((spec.param & 0xF) as u8);
    let ph = spec.param >> 4;
    match spec.lang {
        0 => {
            out.words(pick(rng, vocab::FR_OPEN), world);
            out.words(pick(rng, vocab::FR_SUBJ), world);
            out.words(pick(rng, vocab::FR_PRED), world);
            out.words(pick(rng, vocab::FR_END), world);
        }
        1 => {
            out.words(pick(rng, vocab::EN_OPEN), world);
            out.words(pick(rng, vocab::EN_SUBJ), world);
            out.words(pick(rng, vocab::EN_PRED), world);
            out.words(pick(rng, vocab::EN_END), world);
        }
        _ => out.words(pick(rng, vocab::OTHER_TEXT), world),
    }
    let leak_share = match (ph, persona) {
        (phase::LEAK, Persona::EnMaga) => 0.45,
        (phase::LEAK, Persona::FrRight) => 0.3,
        (phase::LEAK, _) => 0.12,
        (phase::RESULTS, _) => 0.04,
        _ => 0.0,
    };
    if rng.random_bool(leak_share) {
        out.tag(
            world.tags.id("MacronLeaks").unwrap_or(0),
            u8::from(rng.random_bool(0.15)),
            world,
        );
    }
    if ph == phase::DEBATE && rng.random_bool(0.55) {
        out.tag_named(
            pick(
                rng,
                &["DebatMacronLePen", "2017LeDebat", "DebatMacronLePen"],
            ),
            world,
        );
    }
    if ph == phase::RESULTS && rng.random_bool(0.3) {
        out.tag_named(
            pick(rng, &["7mai", "Macron", "Presidentielle2017", "Elysee2017"]),
            world,
        );
    }
    let n = match rng.random_range(0..10) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    for _ in 0..n {
        let t = match spec.lang {
            0 => pick(rng, vocab::CAMPAIGN_TAGS),
            1 => pick(
                rng,
                &[
                    "FrenchElection",
                    "Macron",
                    "LePen",
                    "France",
                    "Europe",
                    "Frexit",
                ],
            ),
            _ => pick(rng, &["FrenchElection", "Macron", "LePen", "France2017"]),
        };
        out.tag_named(t, world);
    }
    if persona == Persona::EnMaga && rng.random_bool(0.2) {
        out.tag_named(pick(rng, &["MAGA", "Frexit", "AmericaFirst"]), world);
    }
    if rng.random_bool(0.09) {
        // The long tail: a tag few others use.
        let r = pick(rng, vocab::TAG_ROOTS);
        let s = pick(rng, vocab::TAG_SUFFIXES);
        let name: String = format!("{r}{s}")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        out.tag_named(&name, world);
    }
    if rng.random_bool(0.08) {
        let who = if rng.random_bool(0.4) {
            world.group(Group::Candidate)[rng.random_range(0..2)]
        } else {
            pick(rng, world.group(Group::Media))
        };
        out.mention(who, world);
    }
    if rng.random_bool(0.05) {
        let media = world.group(Group::Media);
        let outlet = pick(rng, media);
        out.link(
            article_url(world, outlet, rng.random_range(0..ARTICLES_PER_OUTLET)),
            post_id,
        );
    }
}

fn leak(spec: &Spec, post_id: u64, world: &World, rng: &mut Stream, out: &mut Content) {
    if spec.lang == 1 {
        out.words(pick(rng, vocab::LEAK_EN_OPEN), world);
        out.words(pick(rng, vocab::LEAK_EN_BODY), world);
    } else {
        out.words(pick(rng, vocab::LEAK_FR_BODY), world);
    }
    if !out
        .tags
        .iter()
        .any(|t| world.tags.name(t.id) == "MacronLeaks")
        || rng.random_bool(0.3)
    {
        out.tag_named(
            if rng.random_bool(0.8) {
                "MacronLeaks"
            } else {
                "MacronGate"
            },
            world,
        );
    }
    if spec.topic == Topic::DormantLeak {
        for t in ["MAGA", "Frexit", "FrenchElection", "Marine2017"] {
            if rng.random_bool(0.3) {
                out.tag_named(t, world);
            }
        }
        if rng.random_bool(0.8) {
            // Mostly the wave's own link (a fresh mirror), else a common one.
            let (cohort, wave) = (u64::from(spec.param & 0x3FF), u64::from(spec.param >> 10));
            let k = if rng.random_bool(0.75) {
                1_000 + cohort * 64 + wave
            } else {
                rng.random_range(0..12)
            };
            out.link(leak_url(world, k), post_id);
        }
    } else if rng.random_bool(0.7) {
        out.link(leak_url(world, rng.random_range(0..12)), post_id);
    }
}

/// A copy-paste message: the team's template, copied exactly, with a mention in front, in
/// another case, or with one word swapped (a near duplicate).
fn copy(spec: &Spec, post_id: u64, world: &World, out: &mut Content) {
    let template = spec.seed >> 32;
    let variant = spec.seed & 0xFFFF_FFFF;
    let team = u64::from(spec.param);
    let mut t = rng::stream(world.seed, Domain::Content, team << 32 | template, 99);
    let mut v = rng::stream(world.seed, Domain::Content, spec.seed ^ team << 48, 98);
    let body = pick(&mut t, vocab::COPY_FR_BODY);
    let second = pick(&mut t, vocab::COPY_FR_BODY);
    let two = t.random_bool(0.4);
    let tags: Vec<&str> = {
        let mut tags = vec![pick(
            &mut t,
            &[
                "Marine2017",
                "JeVoteMarine",
                "AuNomDuPeuple",
                "SansMoiLe7Mai",
            ],
        )];
        if t.random_bool(0.5) {
            tags.push(pick(
                &mut t,
                &["MacronLeaks", "Presidentielle2017", "7mai", "France"],
            ));
        }
        tags
    };
    let with_link = t.random_bool(0.35);
    let link_k = t.random_range(0..12);
    let kind = variant % 20;
    if (12..16).contains(&kind) {
        // A mention in front: journalists and outlets get tagged to draw attention.
        let media = world.group(Group::Media);
        out.mention(pick(&mut v, media), world);
    }
    let mut text = String::from(body);
    if two {
        text.push(' ');
        text.push_str(second);
    }
    if kind >= 17 {
        // Near duplicate: one word swapped, or a word added.
        let mut swapped = false;
        for (a, b) in vocab::COPY_SWAPS
            .iter()
            .skip(v.random_range(0..vocab::COPY_SWAPS.len()))
        {
            if text.contains(a) {
                text = text.replacen(a, b, 1);
                swapped = true;
                break;
            }
        }
        if !swapped {
            text.push_str(pick(
                &mut v,
                &[" Partagez !", " Faites tourner.", " Vite !"],
            ));
        }
    }
    if kind == 16 {
        text = text.to_uppercase();
    }
    out.words(&text, world);
    for tg in tags {
        if let Some(id) = world.tags.id(tg) {
            out.tag(id, if kind == 11 { 1 } else { 0 }, world);
        }
    }
    if with_link {
        out.link(leak_url(world, link_k), post_id);
    }
}

/// The date (y, m, d) of a time, for slugs.
#[allow(dead_code)]
pub(crate) fn ymd(ms: i64) -> (i64, u32, u32) {
    civil_from_days(ms.div_euclid(DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_point_at_their_text() {
        let world = World::build(11, 0.01);
        let mut c = Content::default();
        for (i, topic) in [
            Topic::Chat,
            Topic::Share,
            Topic::News,
            Topic::Leak,
            Topic::DormantLeak,
            Topic::Copy,
            Topic::Push,
            Topic::Ring,
            Topic::Lead,
            Topic::Trump2016,
            Topic::Candidate,
        ]
        .into_iter()
        .enumerate()
        {
            for seed in 0..200u64 {
                let spec = Spec {
                    topic,
                    lang: (seed % 2) as u8,
                    param: (seed % 3) as u16 | 3 << 4,
                    seed: seed << 32 | seed,
                };
                build(&spec, 1_000 + i as u64 * 1000 + seed, &world, &mut c);
                assert!(!c.text.is_empty());
                for s in &c.tags {
                    let t = c.slice(s);
                    assert!(t.starts_with('#'), "{t} in {}", c.text);
                    assert_eq!(t[1..].to_lowercase(), world.tags.name(s.id).to_lowercase());
                    assert_eq!(c.text[..s.b0 as usize].chars().count() as u32, s.c0);
                }
                for s in &c.mentions {
                    assert_eq!(&c.slice(s)[1..], world.handle(s.id));
                }
                for l in &c.links {
                    assert!(c.slice(&l.span).starts_with("https://t.co/"));
                    assert_eq!(l.span.c1 - l.span.c0, 23);
                }
                // Every '#word' of the text is an entity.
                assert_eq!(c.text.matches('#').count(), c.tags.len(), "{}", c.text);
            }
        }
    }

    #[test]
    fn copies_of_one_template_share_their_normalised_text() {
        let world = World::build(11, 0.01);
        let mut c = Content::default();
        let mut seen = std::collections::HashMap::new();
        let mut s = String::new();
        for variant in 0..40u64 {
            let spec = Spec {
                topic: Topic::Copy,
                lang: 0,
                param: 1,
                seed: 7 << 32 | variant,
            };
            build(&spec, 500 + variant, &world, &mut c);
            crate::model::normalize_text(&c.text, &mut s);
            *seen.entry(s.clone()).or_insert(0) += 1;
        }
        let top = seen.values().max().copied().unwrap_or(0);
        assert!(top >= 30, "{seen:?}");
        assert!(seen.len() >= 2, "near duplicates missing: {seen:?}");
    }
}
