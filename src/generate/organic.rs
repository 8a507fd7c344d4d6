/*!
The organic population's originals and the cascades of reactions they draw.

The campaign is cut into one-hour slices. The number of originals in each slice is fixed in
advance from the day's rhythm and the campaign's events (so ids can be numbered without looking
at other slices); each slice's originals and their cascades are then a pure function of the seed
and the slice number, which lets slices be generated in parallel.
*/

use hashbrown::HashSet;
use rand::Rng;

use super::content::{Spec, Topic, phase};
use super::rng::{self, Domain, Stream, exponential, lognormal, pareto, pareto_mean, poisson};
use super::time::{HOUR, MINUTE, SECOND, utc_ms};
use super::world::{World, lang_class};
use super::{CAMPAIGN_END_MS, CAMPAIGN_START_MS, Event, Group, Kind, LEAK_MS, Root, snowflake};

/// Mean reactions per organic original.
const MEAN_CASCADE: f64 = 1.9;
/// Share of reactions that fall after the end of the collection (measured), for calibration.
const LOST_AFTER_END: f64 = 0.03;
/// Tail index and cap of the per-post popularity draw.
const POPULARITY_ALPHA: f64 = 1.4;
const POPULARITY_CAP: f64 = 300.0;
/// Longest reaction delay.
const MAX_DELAY: i64 = 36 * HOUR;
/// A post whose expected cascade is at least this big gets a fast first wave.
pub(crate) const VIRAL: f64 = 40.0;

/// Relative activity by hour of the day in Paris (UTC+2 in May).
const DIURNAL: [f64; 24] = [
    0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.25, 0.55, 0.8, 0.9, 0.95, 1.0, 1.05, 1.0, 0.95, 0.95, 1.0,
    1.1, 1.25, 1.45, 1.6, 1.6, 1.3, 0.8,
];

/// Relative activity of the whole population at time `t`.
pub(crate) fn activity_at(t: i64) -> f64 {
    let hour_utc = (t.rem_euclid(24 * HOUR) / HOUR) as usize;
    let mut w = DIURNAL[(hour_utc + 2) % 24];
    let debate = utc_ms(2017, 5, 3, 19, 0);
    let results = utc_ms(2017, 5, 7, 18, 0);
    if (debate..debate + 3 * HOUR).contains(&t) || (results..results + 4 * HOUR).contains(&t) {
        w *= 2.5;
    }
    if (LEAK_MS..LEAK_MS + 8 * HOUR).contains(&t) {
        w *= 1.4;
    }
    let day = ((t - CAMPAIGN_START_MS) as f64 / (24 * HOUR) as f64).max(0.0);
    w * (1.0 + 0.05 * day)
}

/// The campaign phase at `t` (what people talk about).
pub(crate) fn phase_at(t: i64) -> u16 {
    if t < utc_ms(2017, 5, 3, 18, 0) {
        phase::EARLY
    } else if t < utc_ms(2017, 5, 4, 3, 0) {
        phase::DEBATE
    } else if t < LEAK_MS {
        2
    } else if t < utc_ms(2017, 5, 7, 18, 0) {
        phase::LEAK
    } else {
        phase::RESULTS
    }
}

/// A human reaction delay (ms): a fast wave for viral posts, else minutes to hours.
fn human_delay(rng: &mut Stream, viral: bool, kind: Kind) -> i64 {
    let fast = if viral { 0.35 } else { 0.08 };
    let s = if rng.random_bool(fast) {
        5.0 + exponential(rng, if viral { 120.0 } else { 300.0 })
    } else if viral {
        lognormal(rng, 40.0 * 60.0, 1.3)
    } else {
        lognormal(rng, 70.0 * 60.0, 1.4)
    };
    let typing = if kind == Kind::Retweet { 0.0 } else { 20.0 };
    (((s + typing) * 1000.0) as i64).clamp(2 * SECOND, MAX_DELAY)
}

/// Language class of a new reactor: mostly the post's own.
fn reactor_class(rng: &mut Stream, own: usize) -> usize {
    if rng.random_bool(0.85) {
        own
    } else {
        let x: f64 = rng.random();
        if x < 0.7 {
            0
        } else if x < 0.92 {
            1
        } else {
            2
        }
    }
}

/// Appends the organic reactions to `root`: about `mean` of them (Poisson), from organic
/// reactors weighted by activity, at human delays; reactions after the collection ends are
/// dropped. `salt` separates cascades drawn for the same root.
pub(crate) fn cascade(world: &World, root: &Root, mean: f64, salt: u64, out: &mut Vec<Event>) {
    let mut rng = rng::stream(world.seed, Domain::Cascade, root.id, salt);
    let n = poisson(&mut rng, mean);
    if n == 0 {
        return;
    }
    let viral = mean >= VIRAL;
    let own = lang_class(root.spec.lang);
    let mut seen_small: Vec<u32> = Vec::new();
    let mut seen_big: HashSet<u32> = HashSet::new();
    for _ in 0..n {
        let class = reactor_class(&mut rng, own);
        let table = &world.reactors[class];
        if table.is_empty() {
            continue;
        }
        let mut author = None;
        for _ in 0..4 {
            let a = table.sample(&mut rng);
            let dup = if n <= 32 {
                seen_small.contains(&a)
            } else {
                seen_big.contains(&a)
            };
            if a != root.author && !dup {
                author = Some(a);
                break;
            }
        }
        let Some(author) = author else { continue };
        if n <= 32 {
            seen_small.push(author);
        } else {
            seen_big.insert(author);
        }
        let x: f64 = rng.random();
        let kind = if x < 0.8 {
            Kind::Retweet
        } else if x < 0.92 {
            Kind::Reply
        } else {
            Kind::Quote
        };
        let t = root.time_ms + human_delay(&mut rng, viral, kind);
        let seed: u64 = rng.random();
        if t >= CAMPAIGN_END_MS {
            continue;
        }
        let lang = world.accounts[author as usize].lang;
        let topic = if kind == Kind::Quote {
            Topic::Quote
        } else {
            Topic::Reply
        };
        out.push(Event {
            time_ms: t,
            id: Event::PENDING,
            author,
            kind,
            spec: Spec {
                topic,
                lang,
                param: 0,
                seed,
            },
            parent: Some(*root),
        });
    }
}

/// The organic part of a collection.
pub(crate) struct Organic<'w> {
    world: &'w World,
    /// `roots_before[k]`: organic originals in slices before `k`.
    roots_before: Vec<u64>,
    /// Cascade mean per unit of author reach and popularity.
    base: f64,
    /// Media positions by language class, for shared articles.
    media_by_class: [Vec<u16>; 3],
}

impl<'w> Organic<'w> {
    /// Plans about `target` organic records (originals plus their reactions).
    pub(crate) fn new(world: &'w World, target: f64) -> Self {
        let slices = ((CAMPAIGN_END_MS - CAMPAIGN_START_MS) / HOUR) as usize;
        let weights: Vec<f64> = (0..slices)
            .map(|k| activity_at(CAMPAIGN_START_MS + k as i64 * HOUR + 30 * MINUTE))
            .collect();
        let total: f64 = weights.iter().sum();
        let roots = target / (1.0 + MEAN_CASCADE * (1.0 - LOST_AFTER_END));
        let mut roots_before = Vec::with_capacity(slices + 1);
        let mut cumulative = 0.0;
        roots_before.push(0);
        for w in &weights {
            cumulative += w / total * roots;
            roots_before.push(cumulative.round() as u64);
        }
        let base = MEAN_CASCADE
            / (world.mean_poster_reach * pareto_mean(POPULARITY_ALPHA, POPULARITY_CAP));
        let mut media_by_class: [Vec<u16>; 3] = Default::default();
        for (i, &m) in world.group(Group::Media).iter().enumerate() {
            media_by_class[lang_class(world.accounts[m as usize].lang)].push(i as u16);
        }
        Organic {
            world,
            roots_before,
            base,
            media_by_class,
        }
    }

    /// Number of one-hour slices.
    pub(crate) fn slices(&self) -> usize {
        self.roots_before.len() - 1
    }

    /// The originals of slice `k` and all their reactions (which may fall in later slices).
    pub(crate) fn slice(&self, k: usize) -> Vec<Event> {
        let world = self.world;
        let first = self.roots_before[k];
        let count = (self.roots_before[k + 1] - first) as usize;
        let mut rng = rng::stream(world.seed, Domain::Slice, k as u64, 0);
        let start = CAMPAIGN_START_MS + k as i64 * HOUR;
        let mut times: Vec<i64> = (0..count)
            .map(|_| start + rng.random_range(0..HOUR))
            .collect();
        times.sort_unstable();
        let mut out = Vec::with_capacity(count * 3);
        let media = world.group(Group::Media);
        for (i, &t) in times.iter().enumerate() {
            let x: f64 = rng.random();
            let class = if x < 0.7 {
                0
            } else if x < 0.92 {
                1
            } else {
                2
            };
            let table = &world.posters[class];
            let table = if table.is_empty() {
                &world.posters[0]
            } else {
                table
            };
            if table.is_empty() {
                continue;
            }
            let author = table.sample(&mut rng);
            let acc = &world.accounts[author as usize];
            let ph = phase_at(t);
            let seed: u64 = rng.random();
            let spec = if acc.group == Group::Media {
                let pos = media.binary_search(&author).unwrap_or(0) as u64;
                Spec {
                    topic: Topic::News,
                    lang: acc.lang,
                    param: ph,
                    seed: pos << 40 | seed >> 24,
                }
            } else if rng.random_bool(0.12) {
                let pool = &self.media_by_class[lang_class(acc.lang)];
                let pool = if pool.is_empty() {
                    &self.media_by_class[0]
                } else {
                    pool
                };
                let param = if pool.is_empty() {
                    0
                } else {
                    pool[rng.random_range(0..pool.len())]
                };
                Spec {
                    topic: Topic::Share,
                    lang: acc.lang,
                    param,
                    seed,
                }
            } else {
                Spec {
                    topic: Topic::Chat,
                    lang: acc.lang,
                    param: acc.persona as u16 | ph << 4,
                    seed,
                }
            };
            let id = snowflake(t, (first + i as u64) & 0xF_FFFF);
            let root = Root {
                time_ms: t,
                id,
                author,
                spec,
            };
            out.push(Event {
                time_ms: t,
                id,
                author,
                kind: super::Kind::Original,
                spec,
                parent: None,
            });
            let popularity = pareto(&mut rng, POPULARITY_ALPHA, POPULARITY_CAP);
            let mean = self.base * f64::from(world.reach[author as usize]) * popularity;
            cascade(world, &root, mean, 0, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_pure_and_roots_numbered_in_time_order() {
        let world = World::build(3, 0.01);
        let org = Organic::new(&world, 8_000.0);
        let a = org.slice(40);
        let b = org.slice(40);
        assert_eq!(a.len(), b.len());
        let roots: Vec<&Event> = a.iter().filter(|e| e.parent.is_none()).collect();
        assert_eq!(
            roots.len() as u64,
            org.roots_before[41] - org.roots_before[40]
        );
        for w in roots.windows(2) {
            assert!(w[0].time_ms <= w[1].time_ms && w[0].id < w[1].id);
        }
        for e in a.iter().filter(|e| e.parent.is_some()) {
            let p = e.parent.unwrap();
            assert!(e.time_ms > p.time_ms && e.author != p.author);
        }
    }
}
