/*!
Which posts are actions of a co-action kind, and on which object: the table of the module docs
turned into code. Everything else in the engine sees only [`Action`]s.
*/

use rayon::prelude::*;

use super::CoActionKind;
use crate::model::{Collection, EntityKind, NO_TIME, NONE, PostIx, PostKind, advise_huge_pages};

/// One action: an account acting on an object at a time, through a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Action {
    /// The object's key: a post index, a symbol, an account index or a text fingerprint.
    pub object: u64,
    /// When, in ms.
    pub time_ms: i64,
    /// Who.
    pub account: u32,
    /// Through which post.
    pub post: PostIx,
}

/// Posts per parallel task when scanning the post columns.
const SCAN_CHUNK: usize = 1 << 14;

/// The actions of `kind` in `c`, in an unspecified order. Near-duplicate text has no object
/// before clustering: its actions carry object 0 and are the posts eligible for comparison.
pub(crate) fn extract_actions(
    c: &Collection,
    kind: CoActionKind,
    min_text_chars: usize,
) -> Vec<Action> {
    concat_parts(extract_action_parts(c, kind, min_text_chars))
}

/// [`extract_actions`] as one vector per scanned range of posts, which
/// [`Grouped::from_parts`](super::sweep::Grouped::from_parts) takes without copying them into
/// one vector first.
pub(crate) fn extract_action_parts(
    c: &Collection,
    kind: CoActionKind,
    min_text_chars: usize,
) -> Vec<Vec<Action>> {
    let n = c.posts.len();
    (0..n.div_ceil(SCAN_CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut out = Vec::with_capacity(SCAN_CHUNK);
            let mut scratch: Vec<u64> = Vec::new();
            let end = ((chunk + 1) * SCAN_CHUNK).min(n);
            for p in (chunk * SCAN_CHUNK) as PostIx..end as PostIx {
                push_actions(c, kind, min_text_chars, p, &mut scratch, &mut out);
            }
            out
        })
        .collect()
}

/// The parts one after the other, in one vector.
pub(crate) fn concat_parts(parts: Vec<Vec<Action>>) -> Vec<Action> {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    advise_huge_pages(&all);
    for part in parts {
        all.extend_from_slice(&part);
    }
    all
}

fn push_actions(
    c: &Collection,
    kind: CoActionKind,
    min_text_chars: usize,
    p: PostIx,
    scratch: &mut Vec<u64>,
    out: &mut Vec<Action>,
) {
    let posts = &c.posts;
    let i = p as usize;
    if !posts.is_record(p) || posts.author[i] == NONE || posts.time_ms[i] == NO_TIME {
        return;
    }
    let post_kind = posts.kind[i];
    let retweet = post_kind == PostKind::Retweet;
    let mut push = |object: u64| {
        out.push(Action {
            object,
            time_ms: posts.time_ms[i],
            account: posts.author[i],
            post: p,
        })
    };
    let entities = |wanted: EntityKind, push: &mut dyn FnMut(u64)| {
        for e in posts.entities(p) {
            if e.kind() == wanted {
                push(u64::from(e.id()));
            }
        }
    };
    match kind {
        CoActionKind::CoRetweet if retweet && posts.shared[i] != NONE => {
            push(u64::from(posts.shared[i]));
        }
        CoActionKind::CoQuote if post_kind == PostKind::Quote && posts.shared[i] != NONE => {
            push(u64::from(posts.shared[i]));
        }
        CoActionKind::CoReply if !retweet && posts.reply_to[i] != NONE => {
            push(u64::from(posts.reply_to[i]));
        }
        CoActionKind::CoHashtag if !retweet => entities(EntityKind::Hashtag, &mut push),
        CoActionKind::CoUrl if !retweet => entities(EntityKind::Url, &mut push),
        CoActionKind::CoMention if !retweet => entities(EntityKind::Mention, &mut push),
        CoActionKind::CoObject => entities(EntityKind::Object, &mut push),
        CoActionKind::CoDomain if !retweet => {
            scratch.clear();
            for e in posts.entities(p) {
                match e.kind() {
                    EntityKind::Url => {
                        let d = c.url_domain.get(e.id() as usize).copied().unwrap_or(NONE);
                        if d != NONE {
                            scratch.push(u64::from(d));
                        }
                    }
                    EntityKind::Domain => scratch.push(u64::from(e.id())),
                    _ => {}
                }
            }
            scratch.sort_unstable();
            scratch.dedup();
            for &d in scratch.iter() {
                push(d);
            }
        }
        CoActionKind::CoText | CoActionKind::NearDuplicateText if !retweet => {
            let f = posts.fingerprint(i as PostIx);
            if !f.is_none() && f.chars() >= min_text_chars.max(1) {
                push(if kind == CoActionKind::CoText { f.0 } else { 0 });
            }
        }
        CoActionKind::CoPost => push(0),
        _ => {}
    }
}

/// [`filter_participation`] of actions given in parts.
pub(crate) fn filter_participation_parts(
    parts: Vec<Vec<Action>>,
    accounts: usize,
    min_participation: u32,
) -> Vec<Vec<Action>> {
    if min_participation <= 1 {
        return parts;
    }
    vec![filter_participation(
        concat_parts(parts),
        accounts,
        min_participation,
    )]
}

/// Actions of accounts with at least `min_participation` actions.
pub(crate) fn filter_participation(
    actions: Vec<Action>,
    accounts: usize,
    min_participation: u32,
) -> Vec<Action> {
    if min_participation <= 1 {
        return actions;
    }
    let mut count = vec![0u32; accounts];
    for a in &actions {
        count[a.account as usize] = count[a.account as usize].saturating_add(1);
    }
    actions
        .into_par_iter()
        .filter(|a| count[a.account as usize] >= min_participation)
        .collect()
}
