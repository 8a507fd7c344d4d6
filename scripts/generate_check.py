#!/usr/bin/env python3
"""Per-group signals of a collection written by `coordgraph generate`, and a naive co-action
detector's precision and recall against the ground truth.

Needs only the Python 3 standard library. Run:

    cargo run --release --example generate_sample -- 0.1 42 v11 /tmp/g.jsonl /tmp/g-truth.csv
    python3 scripts/generate_check.py /tmp/g.jsonl /tmp/g-truth.csv

It prints, per group: accounts, records per account, retweet share, median retweet delay, share
of retweets within 60 s, automation-client share, default-profile share, digit-heavy handles,
followers/friends, spread of creation dates, and the longest gap before the last burst. Then, for
a naive detector (link two accounts that act on the same retweeted post, hashtag, link or
normalised text within 60 s; count a pair's co-actions once per object and 10-minute burst; keep
pairs with at least W), the
precision and recall of the flagged accounts for several W, and how many fan-club accounts it
flags.
"""

import collections
import json
import re
import statistics
import sys

WINDOW_MS = 60_000
AUTOMATION = ("AutoRetweet", "twittbot", "PatriotPoster", "TrendPush", "IFTTT", "dlvr.it",
              "Botize", "RoundTeam")


def normalise(text):
    words = [w.lower() for w in text.split() if not w.startswith(("@", "http://", "https://"))]
    return " ".join(words)


def main(tweets_path, truth_path):
    truth = {}
    with open(truth_path) as f:
        next(f)
        for line in f:
            a, label, group = line.rstrip("\n").split(",")
            truth[a] = (label, group)
    recs = []
    users = {}
    times = {}
    with open(tweets_path) as f:
        for line in f:
            d = json.loads(line)
            u = d["user"]
            users[u["id_str"]] = u
            t = int(d["timestamp_ms"])
            times[d["id_str"]] = t
            rt = d.get("retweeted_status")
            recs.append({
                "id": d["id_str"], "t": t, "a": u["id_str"],
                "rt": rt["id_str"] if rt else None,
                "text": d["text"] if not rt else None,
                "tags": [h["text"].lower() for h in d["entities"]["hashtags"]] if not rt else [],
                "urls": [x["expanded_url"] for x in d["entities"]["urls"]] if not rt else [],
                "src": d["source"],
            })
    by_group = collections.defaultdict(list)
    for r in recs:
        by_group[truth[r["a"]][1]].append(r)
    print(f"{len(recs)} records, {len(truth)} accounts")
    head = "group accounts rec/acc rt% rt_delay_med_s rt<60s% auto% defprof% digits% fol/fri created_iqr_days max_gap_days"
    print(head)
    for g in sorted(by_group):
        rs = by_group[g]
        accs = {r["a"] for r in rs}
        rts = [r for r in rs if r["rt"]]
        delays = [r["t"] - times[r["rt"]] for r in rts]
        auto = sum(any(c in r["src"] for c in AUTOMATION) for r in rs) / len(rs)
        us = [users[a] for a in accs]
        defp = sum(u["default_profile"] for u in us) / len(us)
        digits = sum(len(re.findall(r"\d", u["screen_name"])) >= 4 for u in us) / len(us)
        ratio = statistics.median(u["followers_count"] / max(1, u["friends_count"]) for u in us)
        per = collections.defaultdict(list)
        for r in rs:
            per[r["a"]].append(r["t"])
        gaps = []
        for ts in per.values():
            ts.sort()
            gaps.append(max([b - a for a, b in zip(ts, ts[1:])] or [0]) / 86_400_000)
        from email.utils import parsedate_to_datetime
        created = sorted(parsedate_to_datetime(u["created_at"]).timestamp() / 86400 for u in us)
        iqr = created[3 * len(created) // 4] - created[len(created) // 4]
        print(f"{g} {len(accs)} {len(rs)/len(accs):.1f} {100*len(rts)/len(rs):.0f} "
              f"{statistics.median(delays)/1000 if delays else 0:.0f} "
              f"{100*sum(d <= WINDOW_MS for d in delays)/max(1,len(delays)):.0f} {100*auto:.0f} "
              f"{100*defp:.0f} {100*digits:.0f} {ratio:.2f} {iqr:.0f} {statistics.median(gaps):.0f}")

    # Naive co-action detector.
    objects = collections.defaultdict(list)
    for r in recs:
        if r["rt"]:
            objects[("rt", r["rt"])].append((r["t"], r["a"]))
        else:
            n = normalise(r["text"])
            if len(n) >= 20:
                objects[("text", n)].append((r["t"], r["a"]))
            for h in r["tags"]:
                objects[("tag", h)].append((r["t"], r["a"]))
            for u in r["urls"]:
                objects[("url", u)].append((r["t"], r["a"]))
    pairs = collections.Counter()
    for key, acts in objects.items():
        acts.sort()
        # A pair's co-actions on one object count once per 10-minute burst.
        seen = set()
        j = 0
        for i in range(len(acts)):
            while acts[i][0] - acts[j][0] > WINDOW_MS:
                j += 1
            burst = acts[i][0] // 600_000
            for k in range(j, i):
                a, b = acts[k][1], acts[i][1]
                if a != b:
                    seen.add(((a, b) if a < b else (b, a), burst))
        for p, _ in seen:
            pairs[p] += 1
    planted = {a for a, (l, _) in truth.items() if l == "coordinated"}
    fans = {a for a, (_, g) in truth.items() if g == "fan_club"}
    dormant = {a for a, (_, g) in truth.items() if g == "dormant_reactivated"}
    groups = sorted({g for _, g in truth.values()})
    members = {g: {a for a, (_, h) in truth.items() if h == g} for g in groups}
    print("W flagged precision recall fan_club_flagged dormant_recall | flagged share per group")
    for w in (3, 5, 8, 12, 20):
        flagged = set()
        for (a, b), n in pairs.items():
            if n >= w:
                flagged.add(a)
                flagged.add(b)
        tp = len(flagged & planted)
        print(f"{w} {len(flagged)} {tp/max(1,len(flagged)):.3f} {tp/len(planted):.3f} "
              f"{len(flagged & fans)} {len(flagged & dormant)/max(1,len(dormant)):.3f} | "
              + " ".join(f"{g}={len(flagged & members[g])/len(members[g]):.2f}" for g in groups))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
