"""Deterministic matchers: regexes on known error text, each pointing at entries.

Two sources, one shape: rules derived from every error string an entry
quotes (so a team's runbook gets rules for free), and the curated ones in
rules.yml for the forms people actually paste.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.models import Entry

CURATED = Path(__file__).with_name("rules.yml")
DERIVE_VERSION = "1"
MIN_TOKENS = 3


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    entries: tuple[str, ...]  # entry ids
    curated: bool
    source: str  # the error string a derived rule was made from, or the curated pattern


@dataclass(frozen=True)
class Hit:
    entry: str
    rule: str
    evidence: str


def load_curated(path: Path = CURATED) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def rules_hash(path: Path = CURATED) -> str:
    return hashlib.sha256(DERIVE_VERSION.encode() + path.read_bytes()).hexdigest()[:16]


def _token_regex(tok: str) -> str:
    low = tok.lower()
    if re.fullmatch(r"0x[0-9a-f]+", low):
        return "0x0*" + low[2:].lstrip("0")
    if re.fullmatch(r"0\d+", low):  # 00000005 is also pasted as 0x5 or 5
        return r"(?:0x)?0*" + (low.lstrip("0") or "0")
    return re.escape(tok)


def derive_pattern(error: str) -> str | None:
    """An error string as a regex tolerant of case, spacing, punctuation and
    hex width; None when it is too short to be specific."""
    tokens = re.findall(r"[A-Za-z0-9_]+", error)
    if len(tokens) < MIN_TOKENS:
        return None
    body = r"[^a-z0-9\n]*".join(_token_regex(t) for t in tokens)
    return r"(?<![a-z0-9])" + body + r"(?![a-z0-9])"


def build_rules(entries: list[Entry], curated: list[dict] | None = None) -> tuple[list[Rule], list[str]]:
    """The rules for these entries, and warnings for curated rules whose
    target is not in this corpus (they are skipped, not fatal)."""
    curated = load_curated() if curated is None else curated
    rules: list[Rule] = []
    warnings: list[str] = []
    for spec in curated:
        targets = tuple(e.id for e in entries if spec["entry"].lower() in e.title.lower())
        if not targets:
            warnings.append(f"rule {spec['name']}: no entry title contains {spec['entry']!r}")
            continue
        rules.append(Rule(spec["name"], re.compile(spec["pattern"], re.I), targets, True, spec["pattern"]))
    by_error: dict[str, tuple[str, list[str]]] = {}
    for e in entries:
        for err in e.errors:
            by_error.setdefault(err.lower(), (err, []))[1].append(e.id)
    for err, ids in by_error.values():
        pat = derive_pattern(err)
        if pat:
            rules.append(Rule(f"derived:{err[:60]}", re.compile(pat, re.I), tuple(ids), False, err))
    return rules, warnings


def match(rules: list[Rule], text: str) -> list[Hit]:
    """Every (entry, rule) that fires, longest evidence first per entry."""
    best: dict[str, Hit] = {}
    for rule in rules:
        m = rule.pattern.search(text)
        if not m:
            continue
        for entry in rule.entries:
            prev = best.get(entry)
            if prev is None or len(m.group(0)) > len(prev.evidence):
                best[entry] = Hit(entry, rule.name, m.group(0).strip())
    return sorted(best.values(), key=lambda h: -len(h.evidence))
