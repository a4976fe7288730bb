"""Deterministic matchers: regexes on known error text, each pointing at entries.

Two sources, one shape: rules derived from every error string an entry
quotes (so a team's runbook gets rules for free), and the curated ones in
rules.yml for the forms people actually paste.

Every rule is RE2, case-insensitive: a search is linear in the text whatever
the pattern or the input, so a pasted megabyte can't stall the bot.

A rule fires only on our product's text. Its pattern names our identifiers
(azcloudhsm_*, PO.crt) or an error that is not any one product's; and a match
on a line that carries a neighbouring product's identifier (rules.yml
`foreign`, plus a rule's own `unless`) does not count unless the line also
names ours (`ours`): `key_mgmt_util ... LIQUIDSECURITY: Daemon socket
connection error` is AWS CloudHSM's. The twin that differs only by product
(the same PKCS#11 error on a line of its own) may still fire: the scope check
(bot/search/scope.py) reads the whole text first and abstains on it.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re2
from bot import yamltext

from bot.models import Entry

CURATED = Path(__file__).with_name("rules.yml")
MIN_TOKENS = 3


def _options() -> re2.Options:
    opts = re2.Options()
    opts.case_sensitive = False
    opts.log_errors = False  # RE2's reason comes back in the exception instead
    return opts


_OPTIONS = _options()


def compile_rule_pattern(pattern: str, what: str = "pattern"):
    """A case-insensitive RE2 pattern; ValueError naming `what` and RE2's reason."""
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        raise ValueError(f"{what} {pattern!r} is not valid RE2: {reason}") from None
    if compiled.search("") is not None:
        raise ValueError(f"{what} {pattern!r} matches the empty string, so it would match every text")
    return compiled


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: Any  # compiled RE2 (re2._Regexp)
    entries: tuple[str, ...]  # entry ids
    curated: bool
    source: str  # the error string a derived rule was made from, or the curated pattern
    group: int = 0  # the group that is the evidence: derived rules leave their boundary chars out
    unless: Any = None  # compiled RE2: a match on a line where this matches does not count
    ours: Any = None  # compiled RE2: ...unless the line also names our product

    def evidence(self, text: str | bytes) -> str | None:
        """The error text this rule finds in `text`, or None. Linear: a line
        that is vetoed is skipped whole, never searched twice."""
        data = text.encode("utf-8", "replace") if isinstance(text, str) else text
        pos, end = 0, len(data)
        while pos <= end:
            m = self.pattern.search(data, pos)
            if m is None:
                return None
            start, stop = m.span(self.group)
            if self.unless is not None:
                line_start = data.rfind(b"\n", 0, m.start()) + 1
                line_end = data.find(b"\n", m.end())
                line_end = end if line_end < 0 else line_end
                line = data[line_start:line_end]
                if self.unless.search(line) and not (self.ours is not None and self.ours.search(line)):
                    if line_end >= end:
                        return None
                    pos = max(line_end, pos + 1)  # the newline may be a boundary char of the next match
                    continue
            return data[start:stop].decode("utf-8", "replace").strip()
        return None


@dataclass(frozen=True)
class Hit:
    entry: str
    rule: str
    evidence: str


def _read(path: Path) -> Any:
    return yamltext.parse(path.read_text(encoding="utf-8"))


def load_curated(path: Path = CURATED) -> list[dict]:
    """The curated rule specs (the `rules` list of rules.yml)."""
    data = _read(path)
    specs = (data or {}).get("rules", []) if isinstance(data, dict) else (data or [])
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        missing = [k for k in ("name", "entry", "pattern") if not isinstance(spec, dict) or not spec.get(k)]
        if missing:
            raise ValueError(f"{path}: rule #{i + 1} lacks {', '.join(missing)}")
        if spec["name"] in seen:
            raise ValueError(f"{path}: rule {spec['name']} is listed twice")
        seen.add(spec["name"])
    return specs


def load_guards(path: Path = CURATED) -> tuple[list[str], list[str]]:
    """rules.yml's `foreign` (neighbours' identifiers) and `ours` patterns."""
    data = _read(path)
    if not isinstance(data, dict):
        return [], []
    return list(data.get("foreign") or []), list(data.get("ours") or [])


def _either(patterns: list[str], what: str):
    for p in patterns:
        compile_rule_pattern(p, what)
    return compile_rule_pattern("|".join(f"(?:{p})" for p in patterns), what) if patterns else None


def _token_regex(tok: str) -> str:
    low = tok.lower()
    if re.fullmatch(r"0x[0-9a-f]+", low):
        return "0x0*" + (low[2:].lstrip("0") or "0")
    if re.fullmatch(r"0\d+", low):  # 00000005 is also pasted as 0x5 or 5
        return r"(?:0x)?0*" + (low.lstrip("0") or "0")
    return re2.escape(tok)


def derive_pattern(error: str) -> str | None:
    """An error string as an RE2 pattern tolerant of case, spacing,
    punctuation and hex width; None when it is too short to be specific.
    Group 1 is the error: RE2 has no lookbehind, so the boundary chars
    around it are matched outside the group."""
    # A placeholder (`<subscription>`, `<username>`) stands for whatever the
    # log has there: a bounded gap, so the pattern stays linear.
    parts = re.findall(r"<[^<>\s]{1,40}>|[A-Za-z0-9_]+", error)  # a doc's own string: short and trusted
    tokens = [t for t in parts if not t.startswith("<")]
    if len(tokens) < MIN_TOKENS:
        return None
    body = ""
    for i, t in enumerate(parts):
        if t.startswith("<"):
            body += r"[^\n]{0,80}?" if i else ""
        else:
            body += (r"[^a-z0-9\n]*" if body and not body.endswith("?") else "") + _token_regex(t)
    return r"(?:^|[^a-z0-9])(" + body + r")(?:[^a-z0-9]|$)"


def build_rules(entries: list[Entry], curated: list[dict] | None = None) -> tuple[list[Rule], list[str]]:
    """The rules for these entries, and warnings for curated rules whose
    target is not in this corpus (they are skipped, not fatal). A pattern
    that is not valid RE2 is a ValueError naming the rule."""
    curated = load_curated() if curated is None else curated
    foreign_src, ours_src = load_guards()
    foreign = _either(foreign_src, "rules.yml foreign")
    ours = _either(ours_src, "rules.yml ours")
    rules: list[Rule] = []
    warnings: list[str] = []
    for spec in curated:
        targets = tuple(e.id for e in entries if spec["entry"].lower() in e.title.lower())
        if not targets:
            warnings.append(f"rule {spec['name']}: no entry title contains {spec['entry']!r}")
            continue
        pattern = compile_rule_pattern(spec["pattern"], f"rule {spec['name']}")
        own = [spec["unless"]] if spec.get("unless") else []
        unless = _either(foreign_src + own, f"rule {spec['name']} unless") if own else foreign
        rules.append(Rule(spec["name"], pattern, targets, True, spec["pattern"], 0, unless, ours))
    by_error: dict[str, tuple[str, list[str]]] = {}
    for e in entries:
        for err in e.errors:
            by_error.setdefault(err.lower(), (err, []))[1].append(e.id)
    for err, ids in by_error.values():
        pat = derive_pattern(err)
        if pat:
            compiled = compile_rule_pattern(pat, f"derived rule for {err[:60]!r}")
            rules.append(Rule(f"derived:{err[:60]}", compiled, tuple(ids), False, err, 1, foreign, ours))
    return rules, warnings


def match(rules: list[Rule], text: str) -> list[Hit]:
    """Every (entry, rule) that fires, longest evidence first per entry."""
    data = text.encode("utf-8", "replace")  # once, not once per rule
    best: dict[str, Hit] = {}
    for rule in rules:
        found = rule.evidence(data)
        if not found:
            continue
        for entry in rule.entries:
            prev = best.get(entry)
            if prev is None or len(found) > len(prev.evidence):
                best[entry] = Hit(entry, rule.name, found)
    return sorted(best.values(), key=lambda h: -len(h.evidence))
