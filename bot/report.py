"""`chsm report`: what the bot could not answer, and the answers users voted
down, clustered and counted: the list of docs to write next.

Pure functions over `State.report_items(since)` (bot/slack/state.py):

- unanswered questions are grouped by similarity. Each question is
  normalised (triage's `template`: numbers, ids, paths and timestamps out;
  lower case; filler words dropped; crude suffix stripping), exact
  duplicates of the normalised text are merged, then near-duplicates join
  the cluster of the most frequent similar text (leader clustering with
  rapidfuzz's token_set_ratio; token_sort_ratio when one text has far fewer
  words than the other, so "backup" alone does not swallow every question
  that mentions a backup). Only the newest MAX_ITEMS questions are
  clustered, and each is compared with at most 120 candidate
  clusters (those sharing its rarest words), so time is bounded. CPU time
  for 5,000 questions on a busy shared 2-core box: paraphrases of 50
  questions 0.13-0.23 s; all distinct 0.4 s; all distinct over a 40-word
  vocabulary (the worst case for the candidate lists) 0.8-1.0 s; 2,000-
  character pastes or questions full of secrets 1.2-1.9 s, most of it the
  second masking pass. tests/test_report.py checks < 5 s wall.
- "Not helpful" and "Still stuck" votes are grouped by the entry voted on.

Every text shown (representatives and samples) goes through
`bot.redact.redact` again: the stored queries are masked already, this is a
second line of defence.

`Report.to_dict()` (`chsm report --json`) has this shape:

    {
      "since": "2024-05-06T09:00:00Z", "until": "2024-05-13T09:00:00Z",   # UTC
      "unanswered": {
        "total": 42,            # unanswered questions in the window
        "considered": 42,       # of which clustered (the newest MAX_ITEMS)
        "clusters": [           # most asked first
          {"count": 12, "text": "<representative: the most common wording, then the shortest>",
           "samples": ["<up to 3 other wordings, newest first>"],
           "first_seen": "<UTC ISO>", "last_seen": "<UTC ISO>",
           "surfaces": {"mention": 9, "slash": 3}}
        ]
      },
      "voted_down": {
        "total": 9,             # "Not helpful" and "Still stuck" votes in the window
        "entries": [            # most votes first
          {"entry": "<entry id, or null for a vote on a no-answer reply>", "count": 4,
           "kinds": {"not_helpful": 3, "stuck": 1},
           "samples": ["<up to 3 queries voted on, newest first>"],
           "first_seen": "<UTC ISO>", "last_seen": "<UTC ISO>"}
        ]
      }
    }
"""

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rapidfuzz import fuzz, process

from bot.redact import redact
from bot.triage import template

MAX_ITEMS = 5000  # newest unanswered questions clustered
SIMILAR = 80  # rapidfuzz score (0..100) from which two questions are one
BALANCE = 0.6  # word-count ratio under which token_sort_ratio is used instead of token_set_ratio
RARE_TOKENS = 3  # a question's candidate clusters: those sharing one of its rarest words...
POSTING_CAP = 40  # ...at most this many per word (the biggest clusters come first)
MAX_WORDS = 24  # a question is told apart by its first words (a pasted log is long)
MAX_TEXT = 200  # characters of a question shown
SAMPLES = 3
SLACK_ROWS = 20  # clusters per part in the Slack digest (2 parts + 6 other blocks <= 50)
SLACK_TEXT = 3000  # Slack's limit on a section's text

KIND_LABEL = {"not_helpful": "Not helpful", "stuck": "Still stuck"}

_STOP = frozenset(
    """a an the i im i'm ive my me we our us you your it its it's is are was were be been being am do does did
    doing done can could would should will shall may might must how what why when where which who whom whose
    this that these those there here to of in on for with at by from and or but so if then than as into onto
    about please pls help anyone someone somebody hi hello hey thanks thank thx get got getting any some just
    still also again up out very really way ok okay""".split()
)
_TOKEN = re.compile(r"<\w+>|[a-z0-9_]+(?:['.-][a-z0-9_]+)*")


@functools.lru_cache(maxsize=65536)
def _stem(tok: str) -> str:
    if tok.startswith("<") or "_" in tok or any(c.isdigit() for c in tok):
        return tok  # placeholders, error codes, API names stay as they are
    for suffix, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if tok.endswith(suffix) and len(tok) - len(suffix) >= keep and not tok.endswith("ss"):
            return tok[: -len(suffix)]
    return tok


def normalise(query: str) -> str:
    """The words of a question that tell it apart, in order ('' for none)."""
    toks = _TOKEN.findall(template(" ".join(query.split(maxsplit=MAX_WORDS + 8)[: MAX_WORDS + 8])))
    words = [_stem(t) for t in toks if t not in _STOP]
    return " ".join((words or toks)[:MAX_WORDS])


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(text: str) -> str:
    """A stored query as shown: masked (again), on one line, cut."""
    one = " ".join(redact(text)[0].split())  # mask first: a cut may split a secret
    return one if len(one) <= MAX_TEXT else one[: MAX_TEXT - 1].rstrip() + "…"


@dataclass
class Cluster:
    count: int
    text: str
    samples: list[str]
    first_seen: float
    last_seen: float
    surfaces: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"count": self.count, "text": self.text, "samples": self.samples,
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen), "surfaces": self.surfaces}


@dataclass
class EntryVotes:
    entry: str | None
    count: int
    kinds: dict[str, int]
    samples: list[str]
    first_seen: float
    last_seen: float

    def to_dict(self) -> dict:
        return {"entry": self.entry, "count": self.count, "kinds": self.kinds, "samples": self.samples,
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen)}


@dataclass
class Report:
    since: float
    until: float
    unanswered_total: int = 0
    considered: int = 0
    clusters: list[Cluster] = field(default_factory=list)
    votes_total: int = 0
    entries: list[EntryVotes] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.unanswered_total and not self.votes_total

    @property
    def days(self) -> float:
        return (self.until - self.since) / 86400

    def to_dict(self) -> dict:
        return {
            "since": _iso(self.since), "until": _iso(self.until),
            "unanswered": {"total": self.unanswered_total, "considered": self.considered, "clusters": [c.to_dict() for c in self.clusters]},
            "voted_down": {"total": self.votes_total, "entries": [e.to_dict() for e in self.entries]},
        }


# -- clustering ---------------------------------------------------------------------
def cluster_keys(counts: dict[str, int]) -> dict[str, str]:
    """Each normalised question -> the normalised question leading its
    cluster. Most frequent first, so the common wording leads; a question
    joins the most similar leader among the candidates that share one of its
    rarest words (at most RARE_TOKENS x POSTING_CAP of them), else leads a
    cluster of its own."""
    keys = sorted(counts, key=lambda k: (-counts[k], len(k), k))
    toks = {k: set(k.split()) for k in keys}
    df: Counter[str] = Counter(t for k in keys for t in toks[k])
    leaders: list[str] = []
    sizes: list[int] = []  # words in each leader
    postings: dict[str, list[int]] = {}
    lead_of: dict[str, str] = {}
    for key in keys:
        mine = toks[key]
        cand: set[int] = set()
        for tok in sorted(mine, key=lambda t: (df[t], t))[:RARE_TOKENS]:
            cand.update(postings.get(tok, ())[:POSTING_CAP])
        found = None
        if cand:
            lo, hi = BALANCE * len(mine), len(mine) / BALANCE
            order = sorted(cand)  # the biggest clusters first: they win ties
            balanced = [i for i in order if lo <= sizes[i] <= hi]
            lopsided = [i for i in order if not lo <= sizes[i] <= hi]
            best: tuple[float, int] | None = None
            # One word set inside the other is a match (token_set_ratio) only
            # when their sizes are close; else the whole wording must be close.
            for group, scorer in ((balanced, fuzz.token_set_ratio), (lopsided, fuzz.token_sort_ratio)):
                if group:
                    hit = process.extractOne(key, [leaders[i] for i in group], scorer=scorer, score_cutoff=SIMILAR)
                    if hit is not None and (best is None or (hit[1], -group[hit[2]]) > (best[0], -best[1])):
                        best = (hit[1], group[hit[2]])
            if best is not None:
                found = leaders[best[1]]
        if found is None:
            found = key
            leaders.append(key)
            sizes.append(len(mine))
            for tok in mine:
                postings.setdefault(tok, []).append(len(leaders) - 1)
        lead_of[key] = found
    return lead_of


def _ts(item: dict) -> float | None:
    ts = item.get("ts")
    return float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None


def _samples(texts: Iterable[str], skip: str = "") -> list[str]:
    """Up to SAMPLES distinct texts as shown, in the order given (newest first)."""
    out: list[str] = []
    for t in dict.fromkeys(texts):
        s = shown(t)
        if s and s != skip and s not in out:
            out.append(s)
            if len(out) == SAMPLES:
                break
    return out


def _unanswered(items: list[dict]) -> list[Cluster]:
    """Items newest first."""
    queries = [str(it.get("query") or "").strip() for it in items]
    key_of = {q: normalise(q) for q in dict.fromkeys(queries)}  # a question asked twice is normalised once
    lead_of = cluster_keys(Counter(key_of[q] for q in queries))
    groups: dict[str, list[int]] = {}
    for n, q in enumerate(queries):
        groups.setdefault(lead_of[key_of[q]], []).append(n)
    out = []
    for members in groups.values():
        texts = Counter(queries[n] for n in members)
        rep = min(texts, key=lambda t: (-texts[t], len(t), t))
        stamps = [_ts(items[n]) or 0.0 for n in members]
        surfaces = Counter(str(items[n].get("surface") or "unknown") for n in members)
        text = shown(rep)
        out.append(Cluster(len(members), text, _samples((queries[n] for n in members), skip=text), min(stamps), max(stamps), dict(surfaces.most_common())))
    out.sort(key=lambda c: (-c.count, -c.last_seen, c.text))
    return out


def _voted_down(items: list[dict]) -> list[EntryVotes]:
    """Items newest first."""
    groups: dict[str | None, list[dict]] = {}
    for it in items:
        entry = it.get("entry")
        groups.setdefault(str(entry) if entry is not None else None, []).append(it)
    out = []
    for entry, members in groups.items():
        kinds = Counter(str(it.get("kind")) for it in members)
        stamps = [_ts(it) or 0.0 for it in members]
        samples = _samples(str(it.get("query") or "") for it in members)
        out.append(EntryVotes(entry, len(members), dict(kinds.most_common()), samples, min(stamps), max(stamps)))
    out.sort(key=lambda e: (-e.count, -e.last_seen, e.entry or ""))
    return out


def build_report(items: list[dict], *, since: float, until: float) -> Report:
    """Cluster `State.report_items(since)` into the report of [since, until]."""
    inside = [it for it in items if isinstance(it, dict) and (ts := _ts(it)) is not None and since <= ts <= until]
    inside.sort(key=lambda it: -(_ts(it) or 0.0))
    unanswered = [it for it in inside if it.get("kind") == "unanswered"]
    votes = [it for it in inside if it.get("kind") != "unanswered"]
    report = Report(since, until, unanswered_total=len(unanswered), considered=min(len(unanswered), MAX_ITEMS), votes_total=len(votes))
    report.clusters = _unanswered(unanswered[:MAX_ITEMS])
    report.entries = _voted_down(votes)
    return report


# -- rendering ------------------------------------------------------------------------
def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _span(report: Report) -> str:
    days = report.days
    n = f"{days:g} day" + ("" if days == 1 else "s")
    return f"the last {n} ({_day(report.since)} to {_day(report.until)} UTC)"


def empty_sentence(report: Report) -> str:
    return f"No unanswered questions and no \"Not helpful\" or \"Still stuck\" votes in {_span(report)}."


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{n} {KIND_LABEL.get(k, k)}" for k, n in kinds.items())


def _seen(first: float, last: float) -> str:
    return _day(first) if _day(first) == _day(last) else f"{_day(first)} to {_day(last)}"


def format_text(report: Report, *, limit: int = 25) -> str:
    """For the terminal: the `limit` biggest clusters of each part."""
    if report.empty:
        return empty_sentence(report)
    lines = [f"What to document next: {_span(report)}", ""]
    n = len(report.clusters)
    left = f", the newest {report.considered} clustered" if report.considered < report.unanswered_total else ""
    lines.append(f"Questions the bot could not answer: {report.unanswered_total} in {n} cluster{'s' * (n != 1)}{left}")
    for c in report.clusters[:limit]:
        lines.append(f"{c.count:>6}  {c.text}")
        lines.append(f"{'':>6}  seen {_seen(c.first_seen, c.last_seen)}; " + ", ".join(f"{k} {v}" for k, v in c.surfaces.items()))
        lines += [f"{'':>6}  ↳ {s}" for s in c.samples]
    if n > limit:
        lines.append(f"{'':>6}  … and {n - limit} smaller clusters (--json lists them all)")
    lines.append("")
    n = len(report.entries)
    lines.append(f"Answers voted \"Not helpful\" or \"Still stuck\": {report.votes_total} vote{'s' * (report.votes_total != 1)} on {n} entr{'ies' if n != 1 else 'y'}")
    for e in report.entries[:limit]:
        lines.append(f"{e.count:>6}  {e.entry or '(a no-answer reply)'}  ({_kinds(e.kinds)}; seen {_seen(e.first_seen, e.last_seen)})")
        lines += [f"{'':>6}  ↳ {s}" for s in e.samples]
    if n > limit:
        lines.append(f"{'':>6}  … and {n - limit} more entries (--json lists them all)")
    return "\n".join(lines).rstrip()


def _esc(text: str) -> str:
    """Slack mrkdwn: & < > escaped, so a stored "<!channel>" is text, not a ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict:
    if len(text) > SLACK_TEXT:
        text = text[: SLACK_TEXT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def format_slack(report: Report) -> tuple[str, list[dict]]:
    """(text, blocks) for chat.postMessage: at most 50 blocks, each section's
    text within 3000 characters; the plain text says the totals."""
    if report.empty:
        sentence = empty_sentence(report)
        return sentence, [_section(_esc(sentence))]
    nc, ne = len(report.clusters), len(report.entries)
    text = (
        f"chsm report for {_span(report)}: {report.unanswered_total} unanswered question{'s' * (report.unanswered_total != 1)} "
        f"in {nc} cluster{'s' * (nc != 1)}; {report.votes_total} \"Not helpful\"/\"Still stuck\" vote{'s' * (report.votes_total != 1)} "
        f"on {ne} entr{'ies' if ne != 1 else 'y'}."
    )
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "What to document next"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _esc(text)}]},
    ]
    if report.clusters:
        blocks.append(_section(f"*Questions I could not answer* ({report.unanswered_total})"))
        for c in report.clusters[:SLACK_ROWS]:
            body = f"*{c.count}×* {_esc(c.text)}\n" + "".join(f"• _{_esc(s)}_\n" for s in c.samples)
            blocks.append(_section(body + f"seen {_seen(c.first_seen, c.last_seen)}"))
    if report.entries:
        if report.clusters:
            blocks.append({"type": "divider"})
        blocks.append(_section(f"*Answers voted Not helpful or Still stuck* ({report.votes_total})"))
        for e in report.entries[:SLACK_ROWS]:
            name = f"`{_esc(e.entry)}`" if e.entry else "_a no-answer reply_"
            body = f"*{e.count}×* {name} ({_esc(_kinds(e.kinds))})\n" + "".join(f"• _{_esc(s)}_\n" for s in e.samples)
            blocks.append(_section(body + f"seen {_seen(e.first_seen, e.last_seen)}"))
    more = max(0, nc - SLACK_ROWS) + max(0, ne - SLACK_ROWS)
    if more:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"… and {more} more: `chsm report` lists them all."}]})
    return text, blocks[:50]
