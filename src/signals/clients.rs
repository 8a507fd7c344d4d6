/*!
Which posting clients (`source`) are automation, which are scheduling or feed tools, and which
are people.

A record's client is the display name of the app that posted it ("Twitter for iPhone",
"IFTTT"). Twitter shows it, and the study used it: squads of bots post through auto-retweet
apps. The lists below are lower-case substrings matched against the lower-cased display name;
the human list wins over the others, so "Tweetbot" (a human client) does not match "bot".
Clients in no list, including third-party apps nobody has heard of, count as human: being
unusual is not being automated.
*/

/// Apps that post or retweet without a person in the loop: auto-retweeters, bot builders, and
/// any app whose name says it is a bot or automatic.
pub const AUTOMATION_CLIENTS: &[&str] = &[
    "bot",
    "botize",
    "twittbot",
    "roundteam",
    "autoretweet",
    "auto retweet",
    "autotweet",
    "auto tweet",
    "tweetadder",
    "retweeter",
];

/// Scheduling, feed and cross-posting tools: automated posting of content a person may have
/// chosen. Newsrooms and busy users use them, so they count half (see the score).
pub const SCHEDULING_CLIENTS: &[&str] = &[
    "ifttt",
    "dlvr.it",
    "buffer",
    "hootsuite",
    "socialflow",
    "twitterfeed",
    "zapier",
    "socialoomph",
    "echobox",
    "sprout social",
    "poster",
    "rss",
];

/// Human clients whose names contain an automation pattern.
pub const HUMAN_CLIENTS: &[&str] = &["tweetbot"];

/// What a client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    /// A person posting (official apps, TweetDeck, unknown apps).
    Human,
    /// A scheduling or feed tool.
    Scheduling,
    /// An automation app.
    Automation,
}

/// Classifies a client display name with the given lists (lower-case substrings).
pub fn classify_client<S: AsRef<str>>(
    name: &str,
    automation: &[S],
    scheduling: &[S],
    human: &[S],
) -> ClientKind {
    let name = name.to_lowercase();
    let hit = |list: &[S]| {
        list.iter()
            .any(|p| !p.as_ref().is_empty() && name.contains(p.as_ref()))
    };
    if hit(human) {
        ClientKind::Human
    } else if hit(automation) {
        ClientKind::Automation
    } else if hit(scheduling) {
        ClientKind::Scheduling
    } else {
        ClientKind::Human
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> ClientKind {
        classify_client(name, AUTOMATION_CLIENTS, SCHEDULING_CLIENTS, HUMAN_CLIENTS)
    }

    #[test]
    fn default_lists_classify_known_clients() {
        assert_eq!(kind("Twitter for iPhone"), ClientKind::Human);
        assert_eq!(kind("TweetDeck"), ClientKind::Human);
        assert_eq!(kind("Tweetbot for iΟS"), ClientKind::Human);
        assert_eq!(kind("twittbot.net"), ClientKind::Automation);
        assert_eq!(kind("Botize"), ClientKind::Automation);
        assert_eq!(kind("RoundTeam"), ClientKind::Automation);
        assert_eq!(kind("AutoRetweet Pro"), ClientKind::Automation);
        assert_eq!(kind("IFTTT"), ClientKind::Scheduling);
        assert_eq!(kind("dlvr.it"), ClientKind::Scheduling);
        assert_eq!(kind("Hootsuite"), ClientKind::Scheduling);
        // An unknown third-party app is not a bot for being unknown.
        assert_eq!(kind("TrendPush"), ClientKind::Human);
    }
}
