/*!
The accounts of a generated collection: who they are, which group they belong to, and the
profile every record of theirs carries.

An account is a compact row ([`Account`]) plus text (name, bio, location) that is re-derived
from the seed whenever a record is written, so memory grows with the number of accounts, never
with the number of records. Handles are the one string kept, because they must be unique.
*/

use hashbrown::HashSet;
use rand::Rng;

use super::rng::{self, Alias, Domain, Stream, lognormal, pareto, pick};
use super::time::{DAY, SNOWFLAKE_EPOCH, utc_ms};
use super::vocab::{self, client};
use super::{Group, Persona};

/// One account: everything about it that sampling and rendering need, in 48 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Account {
    /// The Twitter user id.
    pub(crate) id: u64,
    /// Creation time (ms).
    pub(crate) created_ms: i64,
    /// Its group.
    pub(crate) group: Group,
    /// What it writes about and how its bio reads.
    pub(crate) persona: Persona,
    /// Squad, cohort, team or ring within the group; for fans, the candidate (0 or 1).
    pub(crate) team: u16,
    /// Language index into [`vocab::LANGS`].
    pub(crate) lang: u8,
    /// Main client index into [`vocab::CLIENTS`].
    pub(crate) client: u8,
    /// A second client used now and then.
    pub(crate) client2: u8,
    /// Bit 0: default profile; bit 1: default image; bit 2: verified.
    pub(crate) flags: u8,
    /// Followers.
    pub(crate) followers: u32,
    /// Friends (accounts followed).
    pub(crate) friends: u32,
    /// Posts made before the collection (the profile's count grows from here).
    pub(crate) statuses: u32,
    /// Lists the account is on.
    pub(crate) listed: u32,
}

impl Account {
    pub(crate) fn default_profile(&self) -> bool {
        self.flags & 1 != 0
    }
    pub(crate) fn default_image(&self) -> bool {
        self.flags & 2 != 0
    }
    pub(crate) fn verified(&self) -> bool {
        self.flags & 4 != 0
    }
}

/// The text parts of a profile, derived on demand.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProfileText {
    pub(crate) name: String,
    pub(crate) bio: String,
    pub(crate) location: String,
}

/// Hashtag vocabulary: every hashtag the generator can write, distinct after case folding.
#[derive(Debug, Default)]
pub(crate) struct Tags {
    names: Vec<String>,
    index: hashbrown::HashMap<String, u32>,
}

impl Tags {
    fn add(&mut self, name: &str) -> u32 {
        let folded = name.to_lowercase();
        if let Some(&i) = self.index.get(&folded) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(folded, i);
        i
    }

    /// The id of a tag, by any case.
    pub(crate) fn id(&self, name: &str) -> Option<u32> {
        self.index.get(&name.to_lowercase()).copied()
    }

    /// The tag's usual spelling.
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Number of tags.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// How many accounts each group has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub(crate) organic: usize,
    pub(crate) returning: usize,
    pub(crate) media: usize,
    pub(crate) fans: usize,
    pub(crate) fast: usize,
    pub(crate) dormant: usize,
    pub(crate) copy: usize,
    pub(crate) push: usize,
    pub(crate) ring: usize,
}

impl Sizes {
    /// Group sizes for a scale: proportional above scale ~0.05, with a floor below so every
    /// network stays big enough to be a network (the floor itself shrinks below scale 0.01).
    pub(crate) fn for_scale(scale: f64) -> Sizes {
        let floor_factor = (scale / 0.01).min(1.0);
        let size = |per_unit: f64, floor: f64| -> usize {
            (per_unit * scale)
                .max(floor * floor_factor)
                .max(3.0)
                .round() as usize
        };
        Sizes {
            organic: size(95_000.0, 900.0),
            returning: size(600.0, 8.0),
            media: size(150.0, 8.0),
            fans: size(400.0, 10.0),
            fast: size(600.0, 14.0),
            dormant: size(800.0, 14.0),
            copy: size(400.0, 10.0),
            push: size(400.0, 10.0),
            ring: size(200.0, 10.0),
        }
    }
}

/// Splits `n` members into teams of about `target` (at least one team).
pub(crate) fn team_count(n: usize, target: usize) -> usize {
    n.div_ceil(target).max(1)
}

/// All accounts, their handles and the samplers over them.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) accounts: Vec<Account>,
    handle_start: Vec<u32>,
    handle_text: String,
    pub(crate) tags: Tags,
    /// Members of each group, in index order.
    pub(crate) members: Vec<Vec<u32>>,
    /// Organic authors of originals, per language class (0 French, 1 English, 2 other).
    pub(crate) posters: [Alias; 3],
    /// Organic reactors (retweets, replies, quotes), per language class.
    pub(crate) reactors: [Alias; 3],
    /// Per account: how far its posts travel (cascade size multiplier).
    pub(crate) reach: Vec<f32>,
    /// Mean reach of an organic original's author (for calibration).
    pub(crate) mean_poster_reach: f64,
    /// The media domain of each media account (same order as `members[Media]`).
    pub(crate) media_domain: Vec<&'static str>,
}

/// Language class of a language index: 0 French, 1 English, 2 other.
pub(crate) fn lang_class(lang: u8) -> usize {
    match lang {
        0 => 0,
        1 => 1,
        _ => 2,
    }
}

const FR: u8 = 0;
const EN: u8 = 1;

impl World {
    /// Builds the accounts for a seed and scale.
    pub(crate) fn build(seed: u64, scale: f64) -> World {
        let sizes = Sizes::for_scale(scale);
        let mut b = Builder {
            seed,
            accounts: Vec::new(),
            handles: Vec::new(),
            taken: HashSet::new(),
            activity: Vec::new(),
            orig_share: Vec::new(),
            reach: Vec::new(),
            media_domain: Vec::new(),
        };
        let mut rng = rng::stream(seed, Domain::World, 0, 0);
        b.candidates();
        b.media(sizes.media, &mut rng);
        for _ in 0..sizes.organic {
            b.organic(Group::Organic, &mut rng);
        }
        for _ in 0..sizes.returning {
            b.organic(Group::OrganicReturning, &mut rng);
        }
        for i in 0..sizes.fans {
            // Three fans in five follow the challenger, whose base is the more militant.
            let candidate = u16::from(i % 5 < 3);
            b.fan(candidate, &mut rng);
        }
        b.planted(Group::FastRetweeters, sizes.fast, 80, &mut rng);
        b.planted(Group::DormantReactivated, sizes.dormant, 150, &mut rng);
        b.planted(Group::CopyPaste, sizes.copy, 50, &mut rng);
        b.planted(Group::HashtagPushers, sizes.push, 50, &mut rng);
        b.planted(Group::RetweetRing, sizes.ring, 30, &mut rng);
        b.finish(sizes)
    }

    /// The handle (screen name) of an account.
    pub(crate) fn handle(&self, a: u32) -> &str {
        let a = a as usize;
        &self.handle_text[self.handle_start[a] as usize..self.handle_start[a + 1] as usize]
    }

    /// The members of a group.
    pub(crate) fn group(&self, g: Group) -> &[u32] {
        &self.members[g as usize]
    }

    /// The text parts of an account's profile.
    pub(crate) fn profile_text(&self, a: u32, out: &mut ProfileText) {
        let acc = &self.accounts[a as usize];
        let mut rng = rng::stream(self.seed, Domain::Account, u64::from(a), 1);
        out.name.clear();
        out.bio.clear();
        out.location.clear();
        match acc.group {
            Group::Candidate => {
                out.name.push_str(if acc.team == 0 {
                    "Emmanuel Macron"
                } else {
                    "Marine Le Pen"
                });
                out.bio.push_str(if acc.team == 0 {
                    "Candidat à l'élection présidentielle. #EnMarche"
                } else {
                    "Candidate à l'élection présidentielle. #AuNomDuPeuple"
                });
                out.location.push_str("France");
                return;
            }
            Group::Media => {
                let (_, name, domain, _) = media_entry(self.media_index(a));
                out.name.push_str(name);
                out.bio.push_str(pick(&mut rng, vocab::MEDIA_BIO));
                out.bio.push(' ');
                out.bio.push_str(domain);
                out.location
                    .push_str(if acc.lang == FR { "Paris, France" } else { "" });
                return;
            }
            _ => {}
        }
        let (first, last) = identity(self.seed, a, acc.lang);
        match rng.random_range(0..10) {
            0..=5 => {
                out.name.push_str(first);
                out.name.push(' ');
                out.name.push_str(last);
            }
            6 | 7 => {
                out.name.push_str(first);
                out.name.push(' ');
                out.name
                    .push_str(&last[..last.char_indices().nth(1).map_or(last.len(), |c| c.0)]);
                out.name.push('.');
            }
            8 => {
                out.name.push_str(first);
                out.name.push_str(match acc.persona {
                    Persona::FrRight => " 🇫🇷",
                    Persona::EnMaga => " 🇺🇸",
                    _ => "",
                });
            }
            _ => out.name.push_str(first),
        }
        let bio = match acc.group {
            Group::RetweetRing => pick(&mut rng, vocab::RING_BIO),
            _ => persona_bio(acc.persona, &mut rng),
        };
        out.bio.push_str(bio);
        if acc.group == Group::FanClub && rng.random_bool(0.6) {
            out.bio.push_str(if acc.team == 0 {
                " #JeVoteMacron"
            } else {
                " #Marine2017"
            });
        }
        if rng.random_bool(0.65) {
            out.location.push_str(match acc.lang {
                FR => pick(&mut rng, vocab::FR_PLACES),
                EN => pick(&mut rng, vocab::EN_PLACES),
                _ => pick(&mut rng, vocab::OTHER_PLACES),
            });
        }
    }

    /// Position of a media account among the media.
    fn media_index(&self, a: u32) -> usize {
        self.members[Group::Media as usize]
            .binary_search(&a)
            .unwrap_or(0)
    }

    /// The web domain of a media account.
    pub(crate) fn domain_of_media(&self, a: u32) -> &'static str {
        self.media_domain[self.media_index(a)]
    }
}

fn persona_bio(p: Persona, rng: &mut Stream) -> &'static str {
    match p {
        Persona::FrCentre => pick(rng, vocab::FR_BIO_CENTRE),
        Persona::FrRight => pick(rng, vocab::FR_BIO_RIGHT),
        Persona::FrLeft => pick(rng, vocab::FR_BIO_LEFT),
        Persona::FrNeutral => pick(rng, vocab::FR_BIO_NEUTRAL),
        Persona::EnNeutral | Persona::Other => pick(rng, vocab::EN_BIO_NEUTRAL),
        Persona::EnMaga => pick(rng, vocab::EN_BIO_MAGA),
    }
}

/// The media outlet at position `i`: French, alternative (English, pro-Trump) and English
/// mainstream outlets interleaved, so that even a small collection has each kind. Returns the
/// handle, name, domain and kind (0 French, 1 alternative, 2 English mainstream).
fn media_entry(i: usize) -> (&'static str, &'static str, &'static str, u8) {
    const ORDER: [(u8, usize); 18] = [
        (0, 0),
        (1, 0),
        (0, 1),
        (0, 2),
        (1, 1),
        (2, 0),
        (0, 3),
        (1, 2),
        (0, 4),
        (0, 5),
        (2, 1),
        (1, 3),
        (0, 6),
        (0, 7),
        (1, 4),
        (0, 8),
        (2, 2),
        (0, 9),
    ];
    let (kind, j) = ORDER[i % ORDER.len()];
    let (h, n, d) = match kind {
        0 => vocab::FR_MEDIA[j],
        1 => vocab::ALT_MEDIA[j],
        _ => vocab::EN_MEDIA[j],
    };
    (h, n, d, kind)
}

/// First and last name of a person account, fixed by seed and index.
fn identity(seed: u64, a: u32, lang: u8) -> (&'static str, &'static str) {
    let mut rng = rng::stream(seed, Domain::Account, u64::from(a), 0);
    match lang {
        FR => (
            pick(&mut rng, vocab::FR_FIRST),
            pick(&mut rng, vocab::FR_LAST),
        ),
        EN => (
            pick(&mut rng, vocab::EN_FIRST),
            pick(&mut rng, vocab::EN_LAST),
        ),
        _ => (
            pick(&mut rng, vocab::OTHER_FIRST),
            pick(&mut rng, vocab::EN_LAST),
        ),
    }
}

/// ASCII letters of a name, for handles.
fn ascii_letters(s: &str, out: &mut String) {
    for c in s.chars() {
        let c = match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' => 'E',
            'à' | 'â' => 'a',
            'ï' | 'î' => 'i',
            'ô' => 'o',
            'ç' => 'c',
            'ü' | 'û' | 'ù' => 'u',
            'í' => 'i',
            'ã' => 'a',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        }
    }
}

struct Builder {
    seed: u64,
    accounts: Vec<Account>,
    handles: Vec<String>,
    taken: HashSet<String>,
    /// Expected activity (relative) in organic cascades and originals.
    activity: Vec<f64>,
    /// Share of an account's organic activity that is originals.
    orig_share: Vec<f64>,
    reach: Vec<f32>,
    media_domain: Vec<&'static str>,
}

/// Milliseconds of a random instant between two dates.
fn between(rng: &mut Stream, from: i64, to: i64) -> i64 {
    rng.random_range(from..to)
}

fn year_start(y: i64) -> i64 {
    utc_ms(y, 1, 1, 0, 0)
}

/// Collection start: accounts are created before it.
const CREATED_MAX: i64 = utc_ms(2017, 4, 20, 0, 0);

impl Builder {
    fn next_ix(&self) -> u32 {
        self.accounts.len() as u32
    }

    /// Registers a unique handle built from `base` (digits appended on collision).
    fn claim(&mut self, base: &str, rng: &mut Stream) -> String {
        let base: String = if base.is_empty() {
            "user".into()
        } else {
            base.chars().take(15).collect()
        };
        let mut h = base.clone();
        let mut attempt = 0u32;
        // On a collision add a short number, as people do; it grows only when short ones run out.
        while !self.taken.insert(h.to_ascii_lowercase()) {
            let digits = (1 + attempt / 4).min(6);
            let suffix = rng.random_range(0..10u64.pow(digits)).to_string();
            let sep = if attempt % 2 == 1 && !base.ends_with(|c: char| c.is_ascii_digit()) {
                "_"
            } else {
                ""
            };
            let keep = 15usize
                .saturating_sub(suffix.len() + sep.len())
                .min(base.len());
            h = format!("{}{sep}{suffix}", &base[..keep]);
            attempt += 1;
        }
        h
    }

    fn person_handle(&mut self, a: u32, lang: u8, digits: bool, rng: &mut Stream) -> String {
        let (first, last) = identity(self.seed, a, lang);
        let mut base = String::new();
        if digits {
            // Digit-heavy handles: a name and a long number, as mass-created accounts get.
            match rng.random_range(0..3) {
                0 => ascii_letters(first, &mut base),
                1 => {
                    ascii_letters(first, &mut base);
                    ascii_letters(last, &mut base);
                    base.truncate(7);
                }
                _ => ascii_letters(last, &mut base),
            }
            let n = 15usize.saturating_sub(base.len()).clamp(5, 9);
            for _ in 0..n {
                base.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
            base.truncate(15);
        } else {
            match rng.random_range(0..7) {
                0 => {
                    ascii_letters(first, &mut base);
                    ascii_letters(last, &mut base);
                }
                1 => {
                    ascii_letters(first, &mut base);
                    base.push('_');
                    ascii_letters(last, &mut base);
                }
                2 => {
                    ascii_letters(first, &mut base);
                    base.make_ascii_lowercase();
                    let mut l = String::new();
                    ascii_letters(last, &mut l);
                    base.push_str(&l[..l.len().min(1)].to_ascii_lowercase());
                    base.push_str(&rng.random_range(10..100).to_string());
                }
                3 => {
                    ascii_letters(first, &mut base);
                    base.push_str(&rng.random_range(1950..2001).to_string());
                }
                4 => {
                    let mut l = String::new();
                    ascii_letters(last, &mut l);
                    base.push_str(&l.to_ascii_lowercase());
                    base.push('_');
                    let mut f = String::new();
                    ascii_letters(first, &mut f);
                    base.push_str(&f[..f.len().min(3)].to_ascii_lowercase());
                }
                5 => {
                    ascii_letters(first, &mut base);
                    base.push_str(&rng.random_range(1..100_000).to_string());
                }
                _ => {
                    let mut f = String::new();
                    ascii_letters(first, &mut f);
                    base.push_str(&f[..f.len().min(1)]);
                    ascii_letters(last, &mut base);
                }
            }
        }
        self.claim(&base, rng)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        mut acc: Account,
        handle: String,
        activity: f64,
        orig_share: f64,
        reach: f64,
        rng: &mut Stream,
    ) {
        let ix = self.next_ix();
        acc.id = user_id(acc.created_ms, ix, rng);
        self.accounts.push(acc);
        self.handles.push(handle);
        self.activity.push(activity);
        self.orig_share.push(orig_share);
        self.reach.push(reach as f32);
    }

    fn candidates(&mut self) {
        let mut rng = rng::stream(self.seed, Domain::World, 1, 0);
        for (team, handle, created) in [
            (0u16, "EMacron_2017", utc_ms(2015, 11, 18, 10, 0)),
            (1, "MLePen_2017", utc_ms(2011, 6, 2, 9, 0)),
        ] {
            let acc = Account {
                id: 0,
                created_ms: created,
                group: Group::Candidate,
                persona: if team == 0 {
                    Persona::FrCentre
                } else {
                    Persona::FrRight
                },
                team,
                lang: FR,
                client: client::IPHONE,
                client2: client::WEB,
                flags: 4,
                followers: if team == 0 { 1_250_000 } else { 1_480_000 },
                friends: if team == 0 { 430 } else { 1_020 },
                statuses: if team == 0 { 3_900 } else { 14_200 },
                listed: 5_400,
            };
            let h = self.claim(handle, &mut rng);
            self.push(acc, h, 0.0, 0.0, 0.0, &mut rng);
        }
    }

    fn media(&mut self, n: usize, rng: &mut Stream) {
        for i in 0..n {
            let (handle, _, domain, kind) = media_entry(i);
            let round = i / 18;
            let (lang, persona) = match kind {
                0 => (FR, Persona::FrNeutral),
                1 => (EN, Persona::EnMaga),
                _ => (EN, Persona::EnNeutral),
            };
            let base = if round == 0 {
                handle.to_owned()
            } else {
                format!("{handle}{round}")
            };
            let followers = lognormal(rng, 60_000.0, 1.0).clamp(3_000.0, 3e6) as u32;
            let acc = Account {
                id: 0,
                created_ms: between(rng, year_start(2008), year_start(2014)),
                group: Group::Media,
                persona,
                team: 0,
                lang,
                client: pick(rng, &[client::WEB, client::TWEETDECK, client::SOCIALFLOW]),
                client2: client::TWEETDECK,
                flags: if rng.random_bool(0.5) { 4 } else { 0 },
                followers,
                friends: lognormal(rng, 600.0, 1.0) as u32,
                statuses: lognormal(rng, 40_000.0, 0.8) as u32,
                listed: followers / 40,
            };
            let h = self.claim(&base, rng);
            self.media_domain.push(domain);
            let reach = (f64::from(followers) / 200.0).sqrt().min(40.0);
            self.push(acc, h, 30.0, 0.97, reach, rng);
        }
    }

    fn person(&mut self, group: Group, lang: u8, persona: Persona, rng: &mut Stream) -> Account {
        let created_ms = match group {
            Group::OrganicReturning => between(rng, year_start(2010), year_start(2016)),
            _ => {
                // Older accounts are rarer; some old accounts are quiet.
                let year = 2007 + (10.0 * rng.random::<f64>().powf(0.7)) as i64;
                between(rng, year_start(year), year_start(year + 1)).min(CREATED_MAX)
            }
        };
        let followers = lognormal(rng, 180.0, 1.5).min(200_000.0) as u32;
        let friends = lognormal(rng, 260.0, 1.1).min(5_000.0) as u32;
        let client = organic_client(rng);
        let mut flags = 0;
        if rng.random_bool(0.35) {
            flags |= 1;
        }
        if rng.random_bool(0.04) {
            flags |= 2;
        }
        if rng.random_bool(0.003) {
            flags |= 4;
        }
        Account {
            id: 0,
            created_ms,
            group,
            persona,
            team: 0,
            lang,
            client,
            client2: if rng.random_bool(0.5) {
                client::WEB
            } else {
                client
            },
            flags,
            followers,
            friends,
            statuses: 0,
            listed: followers / 60,
        }
    }

    fn organic(&mut self, group: Group, rng: &mut Stream) {
        let (lang, persona) = organic_persona(rng);
        let mut acc = self.person(group, lang, persona, rng);
        let age_days = ((CREATED_MAX - acc.created_ms) / DAY).max(1) as f64;
        // Old and quiet: an old account that hardly posts (a hard negative for dormancy).
        let quiet = group == Group::OrganicReturning
            || (acc.created_ms < year_start(2012) && rng.random_bool(0.3));
        let activity = if quiet {
            rng.random_range(0.2..1.0)
        } else {
            pareto(rng, 1.6, 150.0)
        };
        let per_day = if quiet {
            rng.random_range(0.01..0.15)
        } else {
            0.6 * activity
        };
        acc.statuses = (age_days * per_day * lognormal(rng, 1.0, 0.5)) as u32 + 1;
        let digits = rng.random_bool(0.12);
        let h = self.person_handle(self.next_ix(), lang, digits, rng);
        let reach = (f64::from(acc.followers) / 200.0).sqrt().clamp(0.3, 12.0);
        let orig = rng.random_range(0.12..0.6);
        let activity = if group == Group::OrganicReturning {
            0.0
        } else {
            activity
        };
        self.push(acc, h, activity, orig, reach, rng);
    }

    fn fan(&mut self, candidate: u16, rng: &mut Stream) {
        let persona = if candidate == 0 {
            Persona::FrCentre
        } else {
            Persona::FrRight
        };
        let mut acc = self.person(Group::FanClub, FR, persona, rng);
        acc.team = candidate;
        acc.created_ms = between(rng, year_start(2010), year_start(2017));
        acc.client = pick(
            rng,
            &[
                client::IPHONE,
                client::ANDROID,
                client::ANDROID,
                client::WEB,
            ],
        );
        let age_days = ((CREATED_MAX - acc.created_ms) / DAY).max(1) as f64;
        acc.statuses = (age_days * lognormal(rng, 25.0, 0.6)) as u32;
        let activity = pareto(rng, 1.6, 40.0) * 2.0;
        let h = self.person_handle(self.next_ix(), FR, rng.random_bool(0.12), rng);
        let reach = (f64::from(acc.followers) / 200.0).sqrt().clamp(0.3, 12.0);
        self.push(acc, h, activity, 0.3, reach, rng);
    }

    /// Accounts of a planted network, split into teams created in batches.
    fn planted(&mut self, group: Group, n: usize, team_size: usize, rng: &mut Stream) {
        let teams = team_count(n, team_size);
        let mut team_rng: Vec<(i64, u8, u8, Persona)> = Vec::new();
        for t in 0..teams {
            // Each team is made in one batch, on one kind of client, in one language.
            let (from, to) = match group {
                Group::FastRetweeters => (year_start(2015), utc_ms(2017, 2, 1, 0, 0)),
                Group::DormantReactivated => (utc_ms(2015, 10, 1, 0, 0), utc_ms(2016, 6, 1, 0, 0)),
                Group::CopyPaste => (utc_ms(2017, 3, 1, 0, 0), utc_ms(2017, 4, 15, 0, 0)),
                Group::HashtagPushers => (utc_ms(2016, 11, 15, 0, 0), utc_ms(2017, 4, 10, 0, 0)),
                _ => (year_start(2011), year_start(2016)),
            };
            let batch = between(rng, from, to);
            let (lang, app, persona) = match group {
                Group::FastRetweeters => {
                    let app = if t % 2 == 0 {
                        client::AUTORETWEET
                    } else {
                        client::TWITTBOT
                    };
                    if t % 3 == 2 {
                        (FR, app, Persona::FrRight)
                    } else {
                        (EN, app, Persona::EnMaga)
                    }
                }
                Group::DormantReactivated => (EN, client::PATRIOTPOSTER, Persona::EnMaga),
                Group::CopyPaste => (FR, client::WEB, Persona::FrRight),
                Group::HashtagPushers => {
                    let app = [
                        client::TRENDPUSH,
                        client::IFTTT,
                        client::DLVRIT,
                        client::BOTIZE,
                    ][t % 4];
                    if t % 3 == 1 {
                        (EN, app, Persona::EnMaga)
                    } else {
                        (FR, app, Persona::FrRight)
                    }
                }
                _ => {
                    if t % 2 == 0 {
                        (EN, client::ROUNDTEAM, Persona::EnNeutral)
                    } else {
                        (FR, client::ROUNDTEAM, Persona::FrNeutral)
                    }
                }
            };
            team_rng.push((batch, lang, app, persona));
        }
        for i in 0..n {
            let team = i % teams;
            let (batch, lang, app, persona) = team_rng[team];
            let mut acc = self.person(group, lang, persona, rng);
            acc.team = team as u16;
            let spread = match group {
                Group::RetweetRing => 700 * DAY,
                _ => 3 * DAY,
            };
            acc.created_ms = (batch + rng.random_range(0..spread)).min(CREATED_MAX);
            let age_days = ((CREATED_MAX - acc.created_ms) / DAY).max(1) as f64;
            let (digits, automated, default_profile, default_image) = match group {
                Group::FastRetweeters => (0.7, 0.7, 0.8, 0.45),
                Group::DormantReactivated => (0.4, 0.35, 0.6, 0.25),
                Group::CopyPaste => (0.3, 0.0, 0.85, 0.35),
                Group::HashtagPushers => (0.6, 0.65, 0.75, 0.4),
                _ => (0.2, 0.5, 0.3, 0.05),
            };
            acc.client = if rng.random_bool(automated) {
                app
            } else {
                match group {
                    Group::CopyPaste => {
                        pick(rng, &[client::WEB, client::ANDROID, client::TWEETDECK])
                    }
                    Group::RetweetRing => pick(rng, &[client::IPHONE, client::ANDROID]),
                    _ => client::WEB,
                }
            };
            acc.client2 = client::WEB;
            acc.flags = u8::from(rng.random_bool(default_profile))
                | u8::from(rng.random_bool(default_image)) << 1;
            let (followers, friends) = match group {
                Group::RetweetRing => {
                    let f = lognormal(rng, 8_000.0, 0.7);
                    (f, f * rng.random_range(0.9..1.1))
                }
                Group::FastRetweeters => (lognormal(rng, 120.0, 1.0), lognormal(rng, 1_800.0, 0.5)),
                Group::DormantReactivated => {
                    (lognormal(rng, 300.0, 1.0), lognormal(rng, 900.0, 0.6))
                }
                _ => (lognormal(rng, 40.0, 1.0), lognormal(rng, 400.0, 0.7)),
            };
            acc.followers = followers as u32;
            acc.friends = friends as u32;
            acc.listed = acc.followers / 200;
            let per_day = match group {
                Group::FastRetweeters => lognormal(rng, 80.0, 0.5),
                Group::DormantReactivated => lognormal(rng, 4.0, 0.5),
                Group::RetweetRing => lognormal(rng, 60.0, 0.5),
                _ => lognormal(rng, 30.0, 0.6),
            };
            acc.statuses = (age_days * per_day) as u32 + 5;
            let h = self.person_handle(self.next_ix(), lang, rng.random_bool(digits), rng);
            // Camouflage: planted accounts also retweet ordinary posts now and then, like
            // anyone; dormant accounts stay silent outside their campaign.
            let activity = match group {
                Group::DormantReactivated => 0.0,
                Group::RetweetRing => 1.5,
                _ => 1.0,
            };
            let reach = (acc.followers as f64 / 200.0).sqrt().clamp(0.3, 6.0);
            self.push(acc, h, activity, 0.0, reach, rng);
        }
    }

    fn finish(self, sizes: Sizes) -> World {
        let n = self.accounts.len();
        let mut members = vec![Vec::new(); Group::ALL.len()];
        for (i, a) in self.accounts.iter().enumerate() {
            members[a.group as usize].push(i as u32);
        }
        let mut handle_start = Vec::with_capacity(n + 1);
        let mut handle_text = String::new();
        for h in &self.handles {
            handle_start.push(handle_text.len() as u32);
            handle_text.push_str(h);
        }
        handle_start.push(handle_text.len() as u32);

        let mut posters: [Alias; 3] = Default::default();
        let mut reactors: [Alias; 3] = Default::default();
        let mut poster_reach = 0.0;
        let mut poster_weight = 0.0;
        for class in 0..3 {
            let (mut items, mut pw, mut rw) = (Vec::new(), Vec::new(), Vec::new());
            for (i, a) in self.accounts.iter().enumerate() {
                if lang_class(a.lang) != class || self.activity[i] <= 0.0 {
                    continue;
                }
                items.push(i as u32);
                let p = self.activity[i] * self.orig_share[i];
                pw.push(p);
                rw.push(self.activity[i] * (1.0 - self.orig_share[i]));
                poster_reach += p * f64::from(self.reach[i]);
                poster_weight += p;
            }
            posters[class] = Alias::new(items.clone(), &pw);
            reactors[class] = Alias::new(items, &rw);
        }
        let mut tags = Tags::default();
        for list in [
            vocab::CAMPAIGN_TAGS,
            vocab::LEAK_TAGS,
            vocab::TRUMP_TAGS,
            vocab::RING_TAGS,
        ] {
            for t in list {
                tags.add(t);
            }
        }
        for r in vocab::TAG_ROOTS {
            for s in vocab::TAG_SUFFIXES {
                let name: String = format!("{r}{s}")
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                tags.add(&name);
            }
        }
        for t in 0..team_count(sizes.push, 50) {
            for name in push_tags(t) {
                tags.add(&name);
            }
        }
        let mut accounts = self.accounts;
        dedupe_ids(&mut accounts);
        World {
            seed: self.seed,
            accounts,
            handle_start,
            handle_text,
            tags,
            members,
            posters,
            reactors,
            reach: self.reach,
            mean_poster_reach: if poster_weight > 0.0 {
                poster_reach / poster_weight
            } else {
                1.0
            },
            media_domain: self.media_domain,
        }
    }
}

/// The campaign hashtags of hashtag-pusher team `t`: two of its own and a shared one.
pub(crate) fn push_tags(t: usize) -> [String; 3] {
    const OWN: &[&str] = &[
        "StopMacron",
        "MacronDemission",
        "MacronOuLaFrance",
        "FranceLibre",
        "VoteDuPeuple",
        "PasMacron",
        "ResistanceFR",
        "LeVraiMacron",
        "MacronEscroc",
        "Debout7Mai",
    ];
    let a = OWN[t % OWN.len()];
    let b = OWN[(t * 3 + 1) % OWN.len()];
    let round = t / OWN.len();
    let (a, b) = if round == 0 {
        (a.to_owned(), format!("{b}2017"))
    } else {
        (format!("{a}{round}"), format!("{b}{round}"))
    };
    [a, b, vocab::LEAK_TAGS[t % 2].to_owned()]
}

fn organic_persona(rng: &mut Stream) -> (u8, Persona) {
    let x: f64 = rng.random();
    if x < 0.72 {
        let p = match rng.random_range(0..20) {
            0..=5 => Persona::FrCentre,
            6..=10 => Persona::FrRight,
            11..=14 => Persona::FrLeft,
            _ => Persona::FrNeutral,
        };
        (FR, p)
    } else if x < 0.92 {
        (
            EN,
            if rng.random_bool(0.3) {
                Persona::EnMaga
            } else {
                Persona::EnNeutral
            },
        )
    } else {
        (
            rng.random_range(2..vocab::LANGS.len() as u8),
            Persona::Other,
        )
    }
}

fn organic_client(rng: &mut Stream) -> u8 {
    let x: f64 = rng.random();
    let table: &[(f64, u8)] = &[
        (0.34, client::IPHONE),
        (0.67, client::ANDROID),
        (0.83, client::WEB),
        (0.87, client::IPAD),
        (0.91, client::TWEETDECK),
        (0.93, client::HOOTSUITE),
        (0.95, client::MOBILE_WEB),
        (0.965, client::TWEETBOT),
        (0.975, client::BUFFER),
        (0.985, client::FACEBOOK),
        (0.99, client::IFTTT),
        (0.995, client::DLVRIT),
        (1.0, client::ROUNDTEAM),
    ];
    table
        .iter()
        .find(|(p, _)| x < *p)
        .map_or(client::IPHONE, |e| e.1)
}

/// A user id like Twitter's: sequential-looking before the snowflake era, snowflake after.
fn user_id(created_ms: i64, ix: u32, rng: &mut Stream) -> u64 {
    if created_ms < SNOWFLAKE_EPOCH + 1_000 * DAY {
        // Before 2013 user ids were sequential numbers, about 2.5 a second.
        let secs = (created_ms - utc_ms(2006, 3, 21, 0, 0)).max(0) / 1000;
        (secs as u64) * 3 + u64::from(ix % 3) + 12
    } else {
        let t = (created_ms - SNOWFLAKE_EPOCH) as u64;
        (t << 22) | u64::from(ix & 0x3F_FFFF) ^ (rng.random::<u64>() & 0x3C_0000)
    }
}

/// Makes user ids unique (collisions are rare; each is bumped past the next free id).
fn dedupe_ids(accounts: &mut [Account]) {
    let mut seen: HashSet<u64> = HashSet::with_capacity(accounts.len());
    for a in accounts.iter_mut() {
        while !seen.insert(a.id) {
            a.id += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_ids_are_unique_and_groups_sized() {
        let w = World::build(5, 0.02);
        let mut handles = HashSet::new();
        let mut ids = HashSet::new();
        for a in 0..w.accounts.len() as u32 {
            let h = w.handle(a);
            assert!(!h.is_empty() && h.len() <= 15, "{h}");
            assert!(
                h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{h}"
            );
            assert!(
                handles.insert(h.to_ascii_lowercase()),
                "duplicate handle {h}"
            );
            assert!(ids.insert(w.accounts[a as usize].id));
        }
        assert_eq!(w.group(Group::Candidate).len(), 2);
        assert_eq!(
            w.group(Group::FastRetweeters).len(),
            Sizes::for_scale(0.02).fast
        );
        assert!(w.group(Group::Organic).len() > 1_500);
        assert!(w.tags.len() > 1_000);
        assert_eq!(w.tags.id("macronleaks"), w.tags.id("MacronLeaks"));
    }

    #[test]
    fn planted_networks_are_a_minority_at_scale_one() {
        let w = World::build(1, 1.0);
        let planted = Group::ALL
            .iter()
            .filter(|g| g.is_coordinated())
            .map(|&g| w.group(g).len())
            .sum::<usize>();
        assert_eq!(planted, 2_400);
        assert!(
            (95_000..100_000).contains(&w.accounts.len()),
            "{}",
            w.accounts.len()
        );
        assert!(planted * 100 < w.accounts.len() * 3);
    }

    #[test]
    fn planted_teams_are_created_in_batches() {
        let w = World::build(9, 0.02);
        for g in [Group::CopyPaste, Group::DormantReactivated] {
            let members = w.group(g);
            let t0: Vec<i64> = members
                .iter()
                .map(|&a| &w.accounts[a as usize])
                .filter(|a| a.team == 0)
                .map(|a| a.created_ms)
                .collect();
            let span = t0.iter().max().unwrap() - t0.iter().min().unwrap();
            assert!(span <= 3 * DAY, "{g:?} span {span}");
        }
    }
}
