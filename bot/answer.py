"""What to do with what a user sent, for any surface (Slack, CLI, a web page).

- empty text: help;
- a paste of a log (3+ lines): triage, and when that finds nothing known, an ask;
- a question: an ask; a follow-up that abstains is asked again with the
  thread's earlier text as context;
- log files (and any text sent with them): one triage over all of them.

The result is a `Reply`; turning it into Slack blocks or terminal text is the
surface's job. Nothing here knows about Slack, threads or processes: the
Slack layer decides where this runs (heavy work runs in a worker process).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.errors import InputError
from bot.models import AskResult, TriageResult
from bot.triage import Budget, triage

if TYPE_CHECKING:
    from bot.search.engine import Engine

LOGLIKE_LINES = 3  # a paste of this many non-blank lines is triaged, not asked
LONG_TEXT = 4000  # characters; past this, even a question is heavy work
PASTE_NAME = "your paste"

Kind = Literal["help", "ask", "triage", "notice"]


@dataclass
class Reply:
    kind: Kind
    ask: AskResult | None = None
    triage: TriageResult | None = None
    entries: list[str] = field(default_factory=list)  # ids of the entries the reply gives
    abstained: bool = False
    described: str = ""  # what was triaged: "your paste", "app.log, old.log.gz"
    notice: str = ""  # kind "notice": a plain sentence (nothing readable, busy, failed)


def looks_like_log(text: str) -> bool:
    return sum(1 for ln in text.splitlines() if ln.strip()) >= LOGLIKE_LINES


def is_heavy(text: str) -> bool:
    """Whether answering this may take real CPU (a triage, or a very long text)."""
    return looks_like_log(text) or len(text) > LONG_TEXT


def notice(text: str) -> Reply:
    return Reply("notice", notice=text)


def answer(engine: Engine, text: str, *, context: str | None = None, budget: Budget | None = None) -> Reply:
    if not text.strip():
        return Reply("help")
    if looks_like_log(text):
        r = triage(engine, [(PASTE_NAME, io.BytesIO(text.encode("utf-8")))], budget)
        if r.findings:
            return _triage_reply(r, PASTE_NAME)
    result = engine.ask(text)
    if result.abstained and context and result.scope is None:
        # A follow-up like "still failing, any idea?" means something only with the thread.
        with_context = engine.ask(context + "\n" + text)
        if not with_context.abstained:
            with_context.query, with_context.redacted = result.query, result.redacted
            result = with_context
    entries = [a.id for a in result.answers[:1]] if not result.abstained else []
    return Reply("ask", ask=result, entries=entries, abstained=result.abstained)


def triage_sources(engine: Engine, sources: Sequence[tuple[str, io.BufferedIOBase]], *, budget: Budget | None = None, notes: Sequence[str] = ()) -> Reply:
    """One triage over every source: a problem seen in two files is one finding."""
    if not sources:
        return notice("Nothing I could read: " + "; ".join(notes or ["no text and no files"]))
    try:
        r = triage(engine, sources, budget)
    except InputError as exc:  # the only source could not be read at all
        return notice("Nothing I could read: " + "; ".join([*notes, str(exc)]))
    r.notes = [*notes, *r.notes]
    return _triage_reply(r, ", ".join(name for name, _ in sources))


def triage_files(engine: Engine, files: Sequence[tuple[str, str]], *, text: str = "", budget: Budget | None = None, notes: Sequence[str] = ()) -> Reply:
    """`files` are (name shown to the user, local path); `text` sent with them is triaged too."""
    sources: list[tuple[str, io.BufferedIOBase]] = []
    if text.strip():
        sources.append(("your message", io.BytesIO(text.encode("utf-8"))))
    opened = []
    try:
        for name, path in files:
            f = Path(path).open("rb")
            opened.append(f)
            sources.append((name, f))
        return triage_sources(engine, sources, budget=budget, notes=notes)
    finally:
        for f in opened:
            f.close()


def _triage_reply(r: TriageResult, described: str) -> Reply:
    return Reply("triage", triage=r, entries=[f.answer.id for f in r.findings], abstained=not r.findings, described=described)
