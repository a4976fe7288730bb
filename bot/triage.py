"""Logs -> every distinct problem in them, each once, with its fix.

Two steps, so a caller can overlap or isolate them:

- `scan(sources, known, budget)` streams each log in bounded memory: one RE2
  pattern (a DFA, linear in the input) picks the lines that look like errors,
  may hold a secret, or carry a message the docs explain at any level. Only
  those lines reach Python: each is cut at `MAX_LINE_BYTES`, masked once,
  and grouped by template (timestamps, hosts, numbers with units, ids and
  variable quoted values taken out).
- `explain(engine, scan)` asks the engine once per template, in one batch: a
  rule hit is a finding; so is a strong semantic match on a line that speaks
  of an HSM; everything else is an "other error" with its count.

`triage()` is both. Budgets (bytes, wall time) cut a scan short with a note
that says where it stopped, never with an exception.
"""

import codecs
import functools
import gzip
import io
import re
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import re2

from bot import lexicon
from bot.errors import InputError
from bot.models import Finding, LineRef, TriageResult
from bot.redact import SECRET_HINT, redact

CHUNK = 8 * 1024 * 1024
MAX_LINE_BYTES = 4096  # matched and grouped up to here; the rest of a longer line is never read
SHOWN_CHARS = 500
MAX_SEMANTIC_GROUPS = 200  # bound the encoder's work on a log with endless variety
MAX_UNMATCHED = 50
MAX_HOSTS = 20
# A semantic match must be this sure to make a log line a finding: a log line
# is shorter and noisier than a question, and a wrong fix costs more than
# "other errors".
FINDING_MIN_SCORE = 0.75


class Readable(Protocol):
    """A file, a pipe, an HTTP body: anything with read(n)."""

    def read(self, n: int = -1, /) -> bytes: ...


@dataclass
class Budget:
    seconds: float | None = None  # wall time for the whole triage
    max_bytes: int | None = None  # decompressed bytes read over all sources


# -- reading ------------------------------------------------------------------
_ANSI = re.compile(rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
]


def _sniff(head: bytes, name: str) -> str | None:
    """The codec to transcode from, None for UTF-8/cp1252 read as is;
    InputError for something that is not text."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if not head:
        return None
    if b"\0" in head:
        n = len(head) // 4 * 4
        if n:
            quads = n // 4
            if sum(head[i + 1 : i + 4] == b"\0\0\0" for i in range(0, n, 4)) > 0.9 * quads:
                return "utf-32-le"
            if sum(head[i : i + 3] == b"\0\0\0" for i in range(0, n, 4)) > 0.9 * quads:
                return "utf-32-be"
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
        raise InputError(f"{name} looks binary (it has NUL bytes), not a text log")
    # Control bytes other than tab, newlines, form feed and ESC (colour codes).
    control = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27)
    if control > 0.05 * len(head):
        raise InputError(f"{name} looks binary, not a text log")
    return None


class _Reader:
    """Raw bytes of one source: gzip opened, counted against the budget."""

    def __init__(self, stream: Readable, name: str, budget_left: int | None):
        self.name, self.left, self.read_bytes, self.cut = name, budget_left, 0, False
        raw = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(_Raw(stream))
        magic = raw.peek(2)[:2]
        self.stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw

    def read(self, n: int) -> bytes:
        if self.left is not None:
            if self.left <= 0:
                self.cut = True
                return b""
            n = min(n, self.left)
        try:
            data = self.stream.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot read {self.name}: it is damaged ({type(exc).__name__})") from None
        self.read_bytes += len(data)
        if self.left is not None:
            self.left -= len(data)
        return data


class _Raw(io.RawIOBase):
    """Any object with read() as a raw stream, so it can be peeked at."""

    def __init__(self, f):
        self.f = f

    def readable(self):
        return True

    def readinto(self, b):
        data = self.f.read(len(b))
        b[: len(data)] = data
        return len(data)


def text_chunks(reader: _Reader) -> Iterator[bytes]:
    """UTF-8 chunks that end at line ends. A line longer than MAX_LINE_BYTES
    is cut there (and ends the chunk with its own newline); the rest of it is
    skipped without ever being held in memory."""
    pending = reader.read(4096)
    codec = _sniff(pending, reader.name)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace") if codec else None
    carry, skipping = b"", False
    while True:
        more = reader.read(CHUNK)
        data, pending, last = pending + more, b"", not more
        if decoder is not None:
            data = decoder.decode(data, final=last).encode("utf-8")
        if b"\x1b" in data:
            data = _ANSI.sub(b"", data)
        if skipping:
            nl = data.find(b"\n")
            data, skipping = (b"", True) if nl < 0 else (data[nl + 1 :], False)
        buf = carry + data
        if last:
            if buf:
                yield buf[:MAX_LINE_BYTES]
            return
        cut = buf.rfind(b"\n") + 1
        carry = buf[cut:]
        if cut:
            yield buf[:cut]
        if len(carry) > MAX_LINE_BYTES:
            yield carry[:MAX_LINE_BYTES] + b"\n"
            carry, skipping = b"", True


# -- templates, timestamps, hosts ---------------------------------------------
_TS = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}:\d{2}(?:\s*[ap]m)?"
    r"|\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?"
)
_TS_RX = re.compile(r"(?i)\b(?:" + _TS + r")")
# "<timestamp> host prog[pid]:" (syslog, and ISO-stamped variants) and JSON fields.
_HOST_PREFIX = re.compile(r"(?i)^\W{0,3}(?:" + _TS + r")\]?\s+(?P<host>[a-z0-9][\w.-]{0,62})\s+[\w./@-]+(?:\[\d+\])?:")
_HOST_FIELD = re.compile(r"""(?i)["']?(?:host|hostname|computer|node)["']?\s*[:=]\s*["']?(?P<host>[a-z0-9][\w.-]{0,62})""")
_UNITS = r"(?:ms|us|µs|ns|s|sec|secs|seconds|m|min|mins|minutes|h|hr|hrs|hours|d|days|b|bytes|kb|mb|gb|tb|kib|mib|gib|k|%)"
_NORMALISE = re.compile(
    r"(?P<ts>\b(?:" + _TS + r"))"
    r"|(?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)"
    r"|(?P<ip>\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b)"
    r"|(?P<hex>\b0x[0-9a-f]{9,}\b|\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b)"
    r"|(?P<path>(?:/[\w.@+-]+){2,}/?)"
    r"|(?P<quoted>'[^'\n]{0,80}\d[^'\n]{0,80}'|\"[^\"\n]{0,80}\d[^\"\n]{0,80}\")"
    r"|(?P<unit>(?<![\w.])\d+(?:\.\d+)?" + _UNITS + r"(?![\w]))"
    r"|(?P<n>(?<![0-9a-z_])(?!0\d{3})\d+(?:\.\d+)?(?![0-9a-z_]))",
    re.I,
)


_SIMPLE = {"ts": "<ts>", "uuid": "<uuid>", "ip": "<ip>", "hex": "<hex>", "quoted": "<quoted>", "n": "<n>"}


def _norm(m: re.Match) -> str:
    kind = m.lastgroup
    simple = _SIMPLE.get(kind)  # type: ignore[arg-type]
    if simple:
        return simple
    if kind == "path":  # a path under a common root: the parts that vary go
        return "/".join("<*>" if re.search(r"\d", part) else part for part in m.group(0).split("/"))
    if kind == "unit":
        return "<n>" + re.sub(r"^[\d.]+", "", m.group(0)).lower()
    return m.group(0)


_VARIES = re.compile(r"[\d/'\"]")


def template(line: str, host: str | None = None) -> str:
    """The line with what varies between repeats taken out; error codes
    (`0xa3`, `00000005`) stay, they tell problems apart."""
    if host:
        line = line.replace(host, "<host>", 1)
    # Token by token, cached: most tokens recur from line to line ("ERROR",
    # "C_Login", "0xa3") and cost a lookup; only what varies runs the regexes.
    # 2,048 tokens of at most 4 KB (a line is cut there) bound it at 16 MB;
    # the words that recur stay, the ids that vary pass through.
    return " ".join(map(_token, line.split())).lower()


@functools.lru_cache(maxsize=2048)
def _token(tok: str) -> str:
    return _NORMALISE.sub(_norm, tok) if _VARIES.search(tok) else tok


def host_of(line: str) -> str | None:
    m = _HOST_PREFIX.search(line)
    if m is None:
        low = line.lower()  # a substring test first: the field regex costs more than the rest of the line's work
        if "host" in low or "computer" in low or "node" in low:
            m = _HOST_FIELD.search(line)
    return m.group("host") if m else None


def timestamp_of(line: str) -> str | None:
    m = _TS_RX.search(line, 0, 120)  # as written, near the start of the line
    return m.group(0) if m else None


# -- the scan -------------------------------------------------------------------
@dataclass
class Group:
    source: int
    line: int
    text: str  # the first occurrence, cut and masked
    secrets: int
    count: int = 0
    last_line: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    hosts: dict[str, None] = field(default_factory=dict)


@dataclass
class Scan:
    names: list[str]
    lines: int = 0
    redacted: int = 0
    groups: dict[tuple[int, str], Group] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_PATTERNS: dict[tuple[str, ...], "re2._Regexp"] = {}


def candidate_pattern(known: Sequence[str] = ()) -> "re2._Regexp":
    """One DFA for every line worth a look: error words, secret hints, and
    the messages the docs explain (`known`, RE2 patterns)."""
    key = tuple(known)
    rx = _PATTERNS.get(key)
    if rx is None:
        alts = [lexicon.ERROR_WORDS, SECRET_HINT, *(k for k in known if _re2_ok(k))]
        body = "|".join(f"(?:{a})" for a in alts)
        opts = re2.Options()
        # The rules make a large alternation; RE2's default 8 MB leaves the DFA
        # out of memory and falls back to a scan ten times slower.
        opts.max_mem = 256 << 20
        opts.never_capture = True
        rx = _PATTERNS[key] = re2.compile(("(?im)^[^\n]*(?:" + body + ")[^\n]*$").encode(), opts)
    return rx


def _re2_ok(pattern: str) -> bool:
    try:
        re2.compile(pattern)
        return True
    except re2.error:
        return False


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # the usual non-UTF-8 log


def scan(sources: Sequence[tuple[str, Readable]], known: Sequence[str] = (), budget: Budget | None = None) -> Scan:
    try:
        return _scan(sources, known, budget)
    finally:
        # The line and token caches hold raw text, pasted secrets and all: none
        # outlives the triage it served (repeats within one log are the gain).
        _facts.cache_clear()
        _token.cache_clear()


def _scan(sources: Sequence[tuple[str, Readable]], known: Sequence[str], budget: Budget | None) -> Scan:
    budget = budget or Budget()
    deadline = time.monotonic() + budget.seconds if budget.seconds else None
    started = time.monotonic()
    rx = candidate_pattern(known)
    out = Scan(names=[name for name, _ in sources])
    bytes_left = budget.max_bytes
    for idx, (name, stream) in enumerate(sources):
        if deadline and time.monotonic() > deadline:
            out.notes.append(f"skipped {name}: the time for this triage ran out")
            continue
        if bytes_left is not None and bytes_left <= 0:
            out.notes.append(f"skipped {name}: the size limit for one triage was reached")
            continue
        lines = 0
        try:
            reader = _Reader(stream, name, bytes_left)
            for chunk in text_chunks(reader):
                pos = 0
                for m in rx.finditer(chunk):
                    start, end = m.span()
                    lines += chunk.count(b"\n", pos, start)
                    # A rule's `\W+` may span a newline, so a match can hold
                    # several whole lines: each is a candidate of its own.
                    while True:
                        nl = chunk.find(b"\n", start, end)
                        stop = end if nl < 0 else nl
                        _add(out, idx, lines + 1, _decode(chunk[start : min(stop, start + MAX_LINE_BYTES)]).rstrip("\r"))
                        if nl < 0:
                            break
                        lines, start = lines + 1, nl + 1
                    pos = end
                lines += chunk.count(b"\n", pos)
                if not chunk.endswith(b"\n"):
                    lines += 1  # the last line had no newline
                if deadline and time.monotonic() > deadline:
                    out.notes.append(
                        f"stopped after {time.monotonic() - started:.0f} s at line {lines} of {name}; here is what I found up to there"
                    )
                    break
        except InputError as exc:
            out.notes.append(f"skipped {name}: {str(exc).removeprefix(f'cannot read {name}: ')}")
            continue
        finally:
            out.lines += lines
        if bytes_left is not None:
            bytes_left -= reader.read_bytes
            if reader.cut:
                out.notes.append(f"read only the first {reader.read_bytes / 1e6:.0f} MB of {name} (the size limit for one triage)")
    return out


@functools.lru_cache(maxsize=1024)
def _facts(raw: str) -> tuple[str | None, str, str | None]:
    """(host, template, timestamp) of a candidate line. Cached because logs
    repeat lines verbatim (a retry loop, a tool's output pasted twice): a
    repeat then costs a lookup instead of ~25 us of regexes. 1,024 lines of
    at most 4 KB bound the cache at a few MB."""
    host = host_of(raw)
    return host, template(raw, host), timestamp_of(raw)


def _add(out: Scan, source: int, line: int, raw: str) -> None:
    host, tmpl, ts = _facts(raw)
    key = (source, tmpl)
    g = out.groups.get(key)
    if g is None:
        text, secrets = redact(raw)
        g = out.groups[key] = Group(source, line, text, secrets)
    else:
        # Repeats differ only in what `template` takes out; secrets in them
        # are counted as in the first, never shown.
        pass
    g.count += 1
    g.last_line = line
    out.redacted += g.secrets
    if ts:
        g.first_seen = g.first_seen or ts
        g.last_seen = ts
    if host and len(g.hosts) < MAX_HOSTS:
        g.hosts[host] = None


# -- explaining -----------------------------------------------------------------
def explain(engine, found: Scan, source: str | None = None) -> TriageResult:
    """One query per template, one ranking batch; findings folded by entry."""
    # Success lines are never findings; other non-error lines (a message the
    # docs explain at INFO level, a line with a secret) only through a rule.
    groups = [g for g in found.groups.values() if not lexicon.is_success(g.text)]
    errorish = [lexicon.is_error(g.text) for g in groups]
    queries = [engine.prepare_masked(g.text, g.secrets) for g in groups]
    # A log about a neighbouring product (and never about ours) is answered
    # by nothing here, not even by a rule on an error string both share.
    neighbour = engine.scope_of("\n".join(g.text for g in groups))
    ranked_rows = [i for i, q in enumerate(queries) if q.hits and not q.scope and not neighbour]
    semantic = sorted(
        (i for i, q in enumerate(queries) if errorish[i] and not (q.hits or q.scope or neighbour) and lexicon.about_hsm(q.masked)),
        key=lambda i: -groups[i].count,
    )[:MAX_SEMANTIC_GROUPS]
    asked = ranked_rows + semantic
    answers = dict(zip(asked, (r.answers[0] if r.answers else None for r in engine.rank([queries[i] for i in asked], top=1))))

    findings: dict[str, Finding] = {}
    order: dict[str, tuple] = {}
    unmatched: list[Group] = []
    many = len(found.names) > 1
    for i, g in enumerate(groups):
        a = answers.get(i)
        is_rule = i in ranked_rows
        if a is None or (not is_rule and a.score < FINDING_MIN_SCORE):
            if errorish[i]:
                unmatched.append(g)
            continue
        text = f"[{found.names[g.source]}] {g.text}" if many else g.text
        f = findings.get(a.id)
        sev = lexicon.severity(g.text)
        if f is None:
            findings[a.id] = Finding(
                line=g.line, last_line=g.last_line, count=g.count, text=_shown(text), first_seen=g.first_seen,
                last_seen=g.last_seen, hosts=list(g.hosts), answer=a,
            )
            order[a.id] = (sev, g.source, g.line)
            continue
        f.count += g.count
        if (g.source, g.line) < order[a.id][1:]:
            f.line, f.text, f.first_seen = g.line, _shown(text), g.first_seen or f.first_seen
        if (g.source, g.last_line) >= (order[a.id][1], f.last_line):
            f.last_line, f.last_seen = g.last_line, g.last_seen or f.last_seen
        f.hosts = list(dict.fromkeys(f.hosts + list(g.hosts)))[:MAX_HOSTS]
        first = min(order[a.id][1:], (g.source, g.line))
        order[a.id] = (max(order[a.id][0], sev), *first)
    notes = list(found.notes)
    if neighbour is not None:
        notes.append(f"This looks like {neighbour.product}; these docs cover Azure Cloud HSM. See {neighbour.url}")
    ranked = sorted(findings.values(), key=lambda f: (-order[f.answer.id][0], order[f.answer.id][1:]))
    unmatched.sort(key=lambda g: (g.source, g.line))
    return TriageResult(
        source=source or ", ".join(found.names),
        lines=found.lines,
        redacted=found.redacted,
        findings=ranked,
        unmatched=[
            LineRef(line=g.line, count=g.count, text=_shown(f"[{found.names[g.source]}] {g.text}" if many else g.text))
            for g in unmatched[:MAX_UNMATCHED]
        ],
        notes=notes,
    )


def _shown(text: str) -> str:
    text = text.strip()
    return text[: SHOWN_CHARS - 1] + "…" if len(text) > SHOWN_CHARS else text


def triage(engine, sources: Sequence[tuple[str, Readable]], budget: Budget | None = None) -> TriageResult:
    """Scan and explain. Unreadable sources become notes, not errors; only a
    single source that cannot be read at all raises InputError."""
    found = scan(sources, engine.known_messages(), budget)
    if len(sources) == 1 and found.notes and found.notes[0].startswith("skipped") and not found.lines:
        raise InputError(found.notes[0].removeprefix("skipped ").replace(":", "", 1).strip())
    return explain(engine, found)


def open_log(path) -> tuple[Readable, str]:
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a log file")
        return open(path, "rb"), str(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
