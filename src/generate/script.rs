/*!
The scripted part of a collection: candidates and their fan club, the leak, the 2016 timelines,
and every planted network.

Scripted originals are laid out first (each with a role), sorted and numbered; reactions are
then drawn for each role. All of it is held in memory: it is a minority of the records.
*/

use rand::Rng;

use super::content::{Spec, Topic};
use super::organic::{activity_at, cascade, phase_at};
use super::rng::{self, Domain, Stream, lognormal};
use super::time::{DAY, HOUR, MINUTE, SECOND, utc_ms};
use super::world::{World, team_count};
use super::{
    CAMPAIGN_END_MS, CAMPAIGN_START_MS, Event, Group, Kind, LEAK_MS, LOW_SCRIPTED, Persona, Root,
    snowflake,
};

/// Why a scripted original exists, which decides who reacts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Candidate(u16),
    Leak,
    Lead(u16),
    Trump(u16),
    DormantLeak(u16),
    Copy,
    Push,
    Ring(u16),
    Returning,
}

/// End of the 2016 activity of the reactivated accounts (the day after the US election).
const ACTIVE_2016_END: i64 = utc_ms(2016, 11, 9, 12, 0);
const ACTIVE_2016_START: i64 = utc_ms(2016, 7, 15, 0, 0);

/// A delay (ms): log-normal with the given median (s) and spread, clamped to [min, max] s.
fn delay(rng: &mut Stream, median_s: f64, sigma: f64, min_s: f64, max_s: f64) -> i64 {
    (lognormal(rng, median_s, sigma).clamp(min_s, max_s) * 1000.0) as i64
}

/// A time in `[from, to)` drawn with the population's daily rhythm.
fn campaign_time(rng: &mut Stream, from: i64, to: i64) -> i64 {
    loop {
        let t = rng.random_range(from..to);
        if rng.random::<f64>() * 4.0 < activity_at(t) {
            return t;
        }
    }
}

struct Plan<'w> {
    world: &'w World,
    scale: f64,
    rng: Stream,
    roots: Vec<(Root, Role)>,
}

impl Plan<'_> {
    fn root(&mut self, t: i64, author: u32, topic: Topic, param: u16, role: Role) {
        let acc = &self.world.accounts[author as usize];
        let param = if topic == Topic::Chat {
            acc.persona as u16 | phase_at(t) << 4
        } else {
            param
        };
        let spec = Spec {
            topic,
            lang: acc.lang,
            param,
            seed: self.rng.random(),
        };
        self.roots.push((
            Root {
                time_ms: t,
                id: 0,
                author,
                spec,
            },
            role,
        ));
    }

    /// Members of team `t` of a group (members are dealt to teams round-robin).
    fn team(&self, g: Group, t: usize) -> Vec<u32> {
        self.world
            .group(g)
            .iter()
            .copied()
            .filter(|&a| usize::from(self.world.accounts[a as usize].team) == t)
            .collect()
    }

    fn teams(&self, g: Group) -> usize {
        let target = match g {
            Group::FastRetweeters => 80,
            Group::DormantReactivated => 150,
            Group::RetweetRing => 30,
            _ => 50,
        };
        team_count(self.world.group(g).len(), target)
    }

    /// Campaign wake-up time of a reactivated cohort: within the hour after the leak.
    fn wake(&self, cohort: u16) -> i64 {
        let k = rng::key(self.world.seed, Domain::Script, 77, u64::from(cohort));
        LEAK_MS + 10 * MINUTE + (k % (45 * 60)) as i64 * SECOND
    }

    fn candidates(&mut self) {
        let debate = utc_ms(2017, 5, 3, 19, 0);
        for (c, &author) in self
            .world
            .group(Group::Candidate)
            .to_vec()
            .iter()
            .enumerate()
        {
            let per_day = if c == 0 { 9.0 } else { 8.0 };
            for day in 0..11 {
                let start = CAMPAIGN_START_MS + day * DAY;
                let n = rng::poisson(&mut self.rng, per_day);
                for _ in 0..n {
                    let t = start + 5 * HOUR + self.rng.random_range(0..16 * HOUR);
                    self.root(
                        t,
                        author,
                        Topic::Candidate,
                        c as u16,
                        Role::Candidate(c as u16),
                    );
                }
            }
            for _ in 0..4 {
                let t = debate + self.rng.random_range(0..150 * MINUTE);
                self.root(
                    t,
                    author,
                    Topic::Candidate,
                    c as u16,
                    Role::Candidate(c as u16),
                );
            }
        }
    }

    fn leak(&mut self) {
        let alt: Vec<u32> = self
            .world
            .group(Group::Media)
            .iter()
            .copied()
            .filter(|&a| self.world.accounts[a as usize].persona == Persona::EnMaga)
            .collect();
        if alt.is_empty() {
            return;
        }
        let n = 12 + (25.0 * self.scale).round() as usize;
        for i in 0..n {
            let u: f64 = self.rng.random();
            let t = LEAK_MS + 5 * MINUTE + (u * u * 40.0 * HOUR as f64) as i64;
            if t >= CAMPAIGN_END_MS {
                continue;
            }
            self.root(t, alt[i % alt.len()], Topic::Leak, 0, Role::Leak);
        }
    }

    fn fast_leaders(&mut self) {
        for squad in 0..self.teams(Group::FastRetweeters) {
            let members = self.team(Group::FastRetweeters, squad);
            let leaders = (members.len() / 25).max(2).min(members.len());
            for &leader in &members[..leaders] {
                let n = rng::poisson(&mut self.rng, 2.0 * 11.0);
                let extra = rng::poisson(&mut self.rng, 2.0 * 2.2);
                for i in 0..n + extra {
                    let from = if i < n { CAMPAIGN_START_MS } else { LEAK_MS };
                    let t = campaign_time(&mut self.rng, from, CAMPAIGN_END_MS);
                    self.root(
                        t,
                        leader,
                        Topic::Lead,
                        squad as u16,
                        Role::Lead(squad as u16),
                    );
                }
            }
        }
    }

    fn dormant(&mut self) {
        for cohort in 0..self.teams(Group::DormantReactivated) {
            let members = self.team(Group::DormantReactivated, cohort);
            let c = cohort as u16;
            for &a in &members {
                let n = self.rng.random_range(6..=18);
                for _ in 0..n {
                    // Denser towards election day.
                    let u: f64 = self.rng.random();
                    let t = ACTIVE_2016_END
                        - (u * u * (ACTIVE_2016_END - ACTIVE_2016_START) as f64) as i64;
                    self.root(t, a, Topic::Trump2016, c, Role::Trump(c));
                }
            }
            let wake = self.wake(c);
            let mut waves: Vec<i64> = (0..20)
                .map(|i| {
                    if i == 0 {
                        wake
                    } else {
                        let u: f64 = self.rng.random();
                        wake + (u.powf(1.7) * 48.0 * HOUR as f64) as i64
                    }
                })
                .collect();
            waves.sort_unstable();
            for (wave, tau) in waves.into_iter().enumerate() {
                // Each wave pushes a fresh link (a new mirror of the files).
                let param = c | (wave as u16) << 10;
                for &a in &members {
                    if self.rng.random_bool(0.55) {
                        let t = tau + delay(&mut self.rng, 30.0, 0.9, 1.0, 600.0);
                        if t < CAMPAIGN_END_MS {
                            self.root(t, a, Topic::DormantLeak, param, Role::DormantLeak(c));
                        }
                    }
                }
            }
        }
    }

    fn copy_paste(&mut self) {
        for team in 0..self.teams(Group::CopyPaste) {
            let members = self.team(Group::CopyPaste, team);
            for w in 0..60 {
                let from = if w % 5 < 3 {
                    CAMPAIGN_START_MS
                } else {
                    LEAK_MS
                };
                let tau = campaign_time(&mut self.rng, from, CAMPAIGN_END_MS);
                let template: u64 = self.rng.random_range(0..12);
                for &a in &members {
                    if !self.rng.random_bool(0.7) {
                        continue;
                    }
                    let t = tau + delay(&mut self.rng, 30.0, 1.0, 2.0, 900.0);
                    if t >= CAMPAIGN_END_MS {
                        continue;
                    }
                    let variant = u64::from(self.rng.random::<u32>());
                    let spec = Spec {
                        topic: Topic::Copy,
                        lang: 0,
                        param: team as u16,
                        seed: template << 32 | variant,
                    };
                    self.roots.push((
                        Root {
                            time_ms: t,
                            id: 0,
                            author: a,
                            spec,
                        },
                        Role::Copy,
                    ));
                }
            }
        }
    }

    fn pushers(&mut self) {
        for team in 0..self.teams(Group::HashtagPushers) {
            let members = self.team(Group::HashtagPushers, team);
            let bursts = rng::poisson(&mut self.rng, 4.0 * 11.0);
            let late = rng::poisson(&mut self.rng, 6.0 * 2.2);
            for b in 0..bursts + late {
                let from = if b < bursts {
                    CAMPAIGN_START_MS
                } else {
                    LEAK_MS
                };
                let tau = campaign_time(&mut self.rng, from, CAMPAIGN_END_MS);
                for &a in &members {
                    if !self.rng.random_bool(0.6) {
                        continue;
                    }
                    let posts = if self.rng.random_bool(0.3) { 2 } else { 1 };
                    for _ in 0..posts {
                        let t = tau + delay(&mut self.rng, 45.0, 0.9, 1.0, 600.0);
                        if t < CAMPAIGN_END_MS {
                            let param = team as u16 | ((b % 64) as u16) << 10;
                            self.root(t, a, Topic::Push, param, Role::Push);
                        }
                    }
                }
            }
        }
    }

    fn rings(&mut self) {
        for ring in 0..self.teams(Group::RetweetRing) {
            for a in self.team(Group::RetweetRing, ring) {
                let n = rng::poisson(&mut self.rng, 11.0);
                for _ in 0..n {
                    let t = campaign_time(&mut self.rng, CAMPAIGN_START_MS, CAMPAIGN_END_MS);
                    self.root(t, a, Topic::Ring, ring as u16, Role::Ring(ring as u16));
                }
            }
        }
    }

    fn returning(&mut self) {
        for a in self.world.group(Group::OrganicReturning).to_vec() {
            let n = self.rng.random_range(1..=4);
            for _ in 0..n {
                let t = self
                    .rng
                    .random_range(utc_ms(2016, 2, 1, 0, 0)..utc_ms(2016, 10, 20, 0, 0));
                self.root(t, a, Topic::Chat, 0, Role::Returning);
            }
            let m = self.rng.random_range(1..=2);
            for _ in 0..m {
                let t = campaign_time(&mut self.rng, CAMPAIGN_START_MS, CAMPAIGN_END_MS);
                self.root(t, a, Topic::Chat, 0, Role::Returning);
            }
        }
    }
}

fn react(
    out: &mut Vec<Event>,
    author: u32,
    kind: Kind,
    t: i64,
    root: &Root,
    rng: &mut Stream,
    world: &World,
) {
    if t >= CAMPAIGN_END_MS || t <= root.time_ms {
        return;
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
            seed: rng.random(),
        },
        parent: Some(*root),
    });
}

/// All scripted records, sorted by time: originals numbered, reactions pending.
pub(crate) fn plan(world: &World, scale: f64) -> Vec<Event> {
    let mut p = Plan {
        world,
        scale,
        rng: rng::stream(world.seed, Domain::Script, 0, 0),
        roots: Vec::new(),
    };
    p.candidates();
    p.leak();
    p.fast_leaders();
    p.dormant();
    p.copy_paste();
    p.pushers();
    p.rings();
    p.returning();
    let mut roots = std::mem::take(&mut p.roots);
    roots.sort_by_key(|(r, _)| r.time_ms);
    for (s, (r, _)) in roots.iter_mut().enumerate() {
        r.id = snowflake(r.time_ms, LOW_SCRIPTED | (s as u64 & 0xF_FFFF));
    }

    // Team rosters and per-team counts used to size reactions.
    let fast_teams = p.teams(Group::FastRetweeters);
    let fast: Vec<Vec<u32>> = (0..fast_teams)
        .map(|t| p.team(Group::FastRetweeters, t))
        .collect();
    let cohorts = p.teams(Group::DormantReactivated);
    let dormant: Vec<Vec<u32>> = (0..cohorts)
        .map(|t| p.team(Group::DormantReactivated, t))
        .collect();
    let wakes: Vec<i64> = (0..cohorts).map(|c| p.wake(c as u16)).collect();
    let ring_count = p.teams(Group::RetweetRing);
    let rings: Vec<Vec<u32>> = (0..ring_count)
        .map(|t| p.team(Group::RetweetRing, t))
        .collect();
    let mut trump_roots = vec![0usize; cohorts];
    let mut leak_roots = vec![0usize; cohorts];
    for (_, role) in &roots {
        match *role {
            Role::Trump(c) => trump_roots[usize::from(c)] += 1,
            Role::DormantLeak(c) => leak_roots[usize::from(c)] += 1,
            _ => {}
        }
    }
    let fans: [Vec<u32>; 2] = [0, 1].map(|c| {
        world
            .group(Group::FanClub)
            .iter()
            .copied()
            .filter(|&a| world.accounts[a as usize].team == c)
            .collect()
    });

    let mut out: Vec<Event> = Vec::new();
    for (i, (root, role)) in roots.iter().enumerate() {
        out.push(Event {
            time_ms: root.time_ms,
            id: root.id,
            author: root.author,
            kind: Kind::Original,
            spec: root.spec,
            parent: None,
        });
        let mut rng = rng::stream(world.seed, Domain::Script, 1, i as u64);
        let rng = &mut rng;
        match *role {
            Role::Candidate(c) => {
                // The fan club: nearly every post, human delays of minutes to hours.
                for &f in &fans[usize::from(c)] {
                    if !rng.random_bool(0.93) {
                        continue;
                    }
                    let x: f64 = rng.random();
                    let kind = if x < 0.9 {
                        Kind::Retweet
                    } else if x < 0.96 {
                        Kind::Reply
                    } else {
                        Kind::Quote
                    };
                    let t = root.time_ms
                        + 60 * SECOND
                        + delay(rng, 35.0 * 60.0, 1.0, 1.0, 20.0 * 3600.0);
                    react(&mut out, f, kind, t, root, rng, world);
                }
                cascade(world, root, 350.0 * scale + 3.0, 1, &mut out);
            }
            Role::Leak => {
                for squad in &fast {
                    for &a in squad {
                        if rng.random_bool(0.55) {
                            let t = root.time_ms + 2 * SECOND + delay(rng, 6.0, 0.6, 0.5, 60.0);
                            react(&mut out, a, Kind::Retweet, t, root, rng, world);
                        }
                    }
                }
                for (c, cohort) in dormant.iter().enumerate() {
                    for &a in cohort {
                        if rng.random_bool(0.45) {
                            let t = root.time_ms + delay(rng, 50.0, 0.9, 3.0, 900.0);
                            if t >= wakes[c] {
                                react(&mut out, a, Kind::Retweet, t, root, rng, world);
                            }
                        }
                    }
                }
                cascade(world, root, 150.0 * scale + 2.0, 1, &mut out);
            }
            Role::Lead(s) => {
                for &a in &fast[usize::from(s)] {
                    if a != root.author && rng.random_bool(0.85) {
                        let t = root.time_ms + 2 * SECOND + delay(rng, 6.0, 0.6, 0.5, 60.0);
                        react(&mut out, a, Kind::Retweet, t, root, rng, world);
                    }
                }
                cascade(world, root, 0.5, 1, &mut out);
            }
            Role::Trump(c) => {
                let cohort = &dormant[usize::from(c)];
                let p = (8.0 / trump_roots[usize::from(c)].max(1) as f64).min(0.3);
                for &a in cohort {
                    if a != root.author && rng.random_bool(p) {
                        let t = root.time_ms + delay(rng, 180.0, 1.0, 5.0, 7200.0);
                        if t < ACTIVE_2016_END + HOUR {
                            react(&mut out, a, Kind::Retweet, t, root, rng, world);
                        }
                    }
                }
            }
            Role::DormantLeak(c) => {
                let cohort = &dormant[usize::from(c)];
                let p = (15.0 / leak_roots[usize::from(c)].max(1) as f64).min(0.4);
                for &a in cohort {
                    if a != root.author && rng.random_bool(p) {
                        let t = root.time_ms + delay(rng, 45.0, 0.8, 3.0, 1200.0);
                        react(&mut out, a, Kind::Retweet, t, root, rng, world);
                    }
                }
                cascade(world, root, 0.3, 1, &mut out);
            }
            Role::Ring(r) => {
                let ring = &rings[usize::from(r)];
                let p = (12.0 / ring.len().max(1) as f64).min(0.6);
                for &a in ring {
                    if a != root.author && rng.random_bool(p) {
                        let t = root.time_ms + delay(rng, 25.0, 1.1, 2.0, 1200.0);
                        react(&mut out, a, Kind::Retweet, t, root, rng, world);
                    }
                }
                cascade(world, root, 0.2, 1, &mut out);
            }
            Role::Copy | Role::Push => cascade(world, root, 0.25, 1, &mut out),
            Role::Returning => {
                if root.time_ms >= CAMPAIGN_START_MS {
                    cascade(world, root, 0.5, 1, &mut out);
                }
            }
        }
    }
    out.sort_by_key(|e| e.time_ms);
    out.shrink_to_fit();
    out
}
