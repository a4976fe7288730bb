"""A log -> every distinct problem in it, each once, with its fix.

The scan is the hot path: one RE2 pattern (a DFA, ~500 MB/s here against
~6 MB/s for Python's `re`) picks the lines that look like errors or may hold
a secret, chunk by chunk, so a log of any size streams through in bounded
memory. Only those lines reach Python: they are masked, grouped by a
normalised form (timestamps, PIDs, numbers, ids), matched by the rules, and
the rest looked up semantically in one batch.
"""

import codecs
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import re2

from bot.errors import InputError
from bot.models import Finding, LineRef, TriageResult
from bot.redact import redact

CHUNK = 32 * 1024 * 1024
MAX_LINE_CHARS = 500
MAX_SEMANTIC_GROUPS = 200  # bound the encoder's work on a log with endless variety
MAX_UNMATCHED = 50

_ERROR_WORDS = (
    r"error|fail|fatal|panic|critical|denied|invalid|not found|not set|not present|cannot|can't|"
    r"could not|unable to|exception|refused|timed out|timeout|ckr_|ora-\d|liquidsecurity|missing|"
    r"no such file"
)
_SECRET_WORDS = r"password|passwd|--pin|pin\s*[=:]|loginhsm|createuser|changepswd|secret|token|bearer|xox[abposre]-|xapp-|private key|accountkey|sharedaccess|sig="
_CANDIDATE = re2.compile(
    ("(?im)^[^\n]*(?:" + _ERROR_WORDS + "|" + _SECRET_WORDS + ")[^\n]*$").encode()
)
_ERRORISH = re.compile(r"(?i)" + _ERROR_WORDS)
_NOT_AN_ERROR = re.compile(r"(?i)\b(?:0|no|zero) (?:errors?|failures?)\b|\berrors?[=:]\s*0\b|\bfailed[=:]\s*0\b")
_SEVERITY = [(3, re.compile(r"(?i)\b(?:fatal|critical|panic|emerg)")), (2, re.compile(r"(?i)error|fail|exception|denied|ora-|ckr_")), (1, re.compile(r"(?i)\bwarn"))]

# Normalisation for grouping repeats, as one pass (it runs on every candidate
# line). Error codes (0x.., zero-padded numbers) are kept: they tell problems apart.
_NORMALISE = re.compile(
    r"(?P<ts>\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\b"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b)"
    r"|(?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)"
    r"|(?P<ip>\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b)"
    r"|(?P<hex>\b[0-9a-f]{16,}\b)"
    r"|(?P<n>(?<![0-9a-z_])(?!0\d{3})\d+(?![0-9a-z_]))"
    r"|(?P<ws>\s+)",
    re.I,
)


def normalise(line: str) -> str:
    return _NORMALISE.sub(lambda m: " " if m.lastgroup == "ws" else f"<{m.lastgroup}>", line).strip().lower()


def severity(line: str) -> int:
    return next((level for level, rx in _SEVERITY if rx.search(line)), 0)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # the usual non-UTF-8 log


def _check_text(sample: bytes, name: str) -> None:
    if not sample:
        return
    if b"\0" in sample:
        raise InputError(f"{name} looks binary (it has NUL bytes), not a text log")
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if control / len(sample) > 0.05:
        raise InputError(f"{name} looks binary, not a text log")


def log_chunks(stream: io.BufferedIOBase, name: str) -> Iterator[bytes]:
    """UTF-8 chunks that end at line ends: gzip opened, UTF-16 re-encoded,
    binary refused."""
    head = stream.read(4096)
    if head[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=io.BufferedReader(_Prepend(head, stream)))
        head = stream.read(4096)
    decoder = None
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    else:
        _check_text(head, name)
        if head[:3] == codecs.BOM_UTF8:
            head = head[3:]
    carry = b""
    data = head
    try:
        while True:
            more = stream.read(CHUNK)
            data += more
            if decoder is not None:
                data = decoder.decode(data, final=not more).encode("utf-8")
            buf = carry + data
            data = b""
            if not more:
                if buf:
                    yield buf
                return
            cut = buf.rfind(b"\n") + 1
            carry = buf[cut:]
            if cut:
                yield buf[:cut]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot read {name}: {exc}") from exc


class _Prepend(io.RawIOBase):
    """A stream with some bytes already read put back in front."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def readable(self):
        return True

    def readinto(self, b):
        if self.head:
            n = min(len(b), len(self.head))
            b[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def open_log(path: Path | None, data: bytes | None = None) -> tuple[io.BufferedIOBase, str]:
    if data is not None:
        return io.BytesIO(data), "-"
    assert path is not None
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a log file")
        return open(path, "rb"), str(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc


@dataclass
class _Group:
    line: int
    raw: str  # the first occurrence, unmasked: never leaves this module
    count: int = 0
    text: str = ""  # masked, for output
    secrets: int = 0  # in the first occurrence
    severity: int = 0
    is_error: bool = False


def scan(chunks: Iterator[bytes]) -> tuple[int, dict[str, _Group], int]:
    """Total lines, the error-looking lines grouped by normalised form, and
    how many secrets were masked.

    Only a group's first line is masked and classified; its secret count is
    taken as the same for every repeat (repeats differ only in timestamps,
    numbers and ids)."""
    groups: dict[str, _Group] = {}
    lines_before = 0
    total = 0
    for chunk in chunks:
        pos = 0
        for m in _CANDIDATE.finditer(chunk):
            start = m.start()
            lines_before += chunk.count(b"\n", pos, start)
            pos = start
            raw = _decode(m.group(0)).rstrip("\r")
            key = normalise(raw[:MAX_LINE_CHARS])
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(lines_before + 1, raw)
            g.count += 1
        lines_before += chunk.count(b"\n", pos)
        total = lines_before + (0 if chunk.endswith(b"\n") else 1)
        lines_before = total
    errors: dict[str, _Group] = {}
    redacted = 0
    for key, g in groups.items():
        text, g.secrets = redact(g.raw)
        g.raw = ""
        redacted += g.secrets * g.count
        if _ERRORISH.search(text) and not _NOT_AN_ERROR.search(text):
            g.text = (text[: MAX_LINE_CHARS - 1] + "…" if len(text) > MAX_LINE_CHARS else text).strip()
            g.severity, g.is_error = severity(text), True
            errors[key] = g
    return total, errors, redacted


def triage(engine, stream: io.BufferedIOBase, source: str) -> TriageResult:
    """`engine` is an Engine, or a callable that returns one: the CLI loads the
    index while the scan runs (it is a large share of a cold run)."""
    from bot.search.rules import match

    total, groups, redacted = scan(log_chunks(stream, source))
    if callable(engine):
        engine = engine()
    findings: dict[str, Finding] = {}
    order: dict[str, tuple[int, int]] = {}
    leftovers: list[_Group] = []

    def add(group: _Group, answer) -> None:
        f = findings.get(answer.id)
        if f is None:
            findings[answer.id] = Finding(line=group.line, count=group.count, text=group.text, answer=answer)
            order[answer.id] = (group.severity, group.line)
        else:
            f.count += group.count
            if group.line < f.line:
                f.line, f.text = group.line, group.text
            order[answer.id] = (max(order[answer.id][0], group.severity), f.line)

    by_first_seen = sorted(groups.values(), key=lambda g: g.line)
    for g in by_first_seen:
        if match(engine.index.rules, g.text):
            add(g, engine.ask(g.text, top=1).answers[0])
        else:
            leftovers.append(g)
    # The most frequent unexplained lines get the semantic look-up, in one batch.
    looked_up = sorted(leftovers, key=lambda g: -g.count)[:MAX_SEMANTIC_GROUPS]
    answers = engine.ask_many([g.text for g in looked_up], top=1) if looked_up else []
    unmatched = [g for g in leftovers if g not in looked_up]
    for g, r in zip(looked_up, answers):
        if r.abstained or not r.answers:
            unmatched.append(g)
        else:
            add(g, r.answers[0])
    ranked = sorted(findings.values(), key=lambda f: (-order[f.answer.id][0], order[f.answer.id][1]))
    unmatched.sort(key=lambda g: g.line)
    return TriageResult(
        source=source,
        lines=total,
        redacted=redacted,
        findings=ranked,
        unmatched=[LineRef(line=g.line, count=g.count, text=g.text) for g in unmatched[:MAX_UNMATCHED]],
    )
