"""The answer engine: text -> `prepare` (mask, rules, scope, focus) ->
`rank` (one batch through the encoder, fused) -> ranked, cited answers.

Triage and the CLI go through the same two steps: `prepare` once per text,
`rank` once per batch.
"""

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import re2

from bot.errors import UsageError
from bot import lexicon
from bot.lexicon import ERRORISH
from bot.models import Answer, AskResult, Entry
from bot.models import Scope as ScopeOut
from bot.redact import redact
from bot.search import embed
from bot.search import fuse as fusion
from bot.search import store
from bot.search.keyword import tokenize
from bot.search.rules import Hit, match
from bot.search.scope import Scope, ScopeHit

MAX_QUERY_CHARS = 200_000  # a whole pasted log; rules are linear, the encoder reads 256 tokens
TOP_DEFAULT = 3
POOL = 20  # candidates per signal before fusion


@dataclass
class Query:
    """A text ready to rank: masked once, matched by the rules once."""

    masked: str
    redacted: int
    hits: list[Hit]
    focused: str  # what the encoder and BM25 read
    scope: ScopeHit | None = None  # set: the text is about a neighbouring product


def focus(text: str) -> str:
    """Lines in a multi-line paste that look like the problem; the rest is
    noise for the semantic and keyword signals (rules still see everything)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) <= 1:
        return text.strip()
    errs = [ln for ln in lines if ERRORISH.search(ln)]
    return "\n".join(dict.fromkeys(errs or lines))[:2000]


class Engine:
    def __init__(self, index: store.Index, encoder: "embed.Encoder | None" = None, scope: Scope | None = None):
        self.index = index
        self._entries: list[Entry] = index.entries
        self.kinds = [e.kind for e in self._entries]
        self.row_of = {e.id: i for i, e in enumerate(self._entries)}
        self.encoder = encoder if encoder is not None else index.encoder  # load() opened and checked it
        self.scope = scope
        # Every error string an entry quotes, normalised: a pasted fragment of
        # one ("Failed to connect socket") is as good as a rule hit.
        self._quoted = [(f" {_words(err)} ", e.id) for e in self._entries for err in e.errors]

    @classmethod
    def open(cls, corpus_dir: Path, index_dir: Path, log=None) -> "Engine":
        """The index for this corpus, built first if it is missing or stale."""
        return cls(store.ensure(corpus_dir, index_dir, log=log), scope=Scope.for_corpus(Path(corpus_dir)))

    @classmethod
    def load(cls, corpus_dir: Path, index_dir: Path) -> "Engine":
        """The index as it is on disk, never built (a serving process reloads
        what `chsm index build` made); IndexError_ when it does not load."""
        return cls(store.load(index_dir), scope=Scope.for_corpus(Path(corpus_dir)))

    def with_encoder(self, encoder: "embed.Encoder") -> "Engine":
        """The same index and scope, another query encoder (a memo, a stand-in)."""
        other = copy.copy(self)
        other.encoder = encoder
        return other

    def info(self) -> dict:
        """What /healthz and logs may say about the loaded index."""
        m = self.index.manifest
        return {"entries": m["entries"], "model": m["model"], "corpus_hash": m["corpus_hash"][:12]}

    def manifest(self) -> dict:
        """The loaded index's manifest, to tell a newer one on disk."""
        return self.index.manifest

    def entry_ids(self, doc: str, title_part: str) -> list[str]:
        """Ids of the entries of `doc` whose title contains `title_part`
        (how labelled sets name right answers)."""
        part = title_part.lower()
        return [e.id for e in self._entries if (e.doc == doc or e.doc.endswith("/" + doc)) and part in e.title.lower()]

    def known_messages(self) -> list[str]:
        """The rules' patterns (RE2 syntax): messages the docs explain, which
        triage must find at any log level."""
        return [r.pattern.pattern for r in self.index.rules]

    def scope_of(self, text: str) -> ScopeHit | None:
        """A ScopeHit when the text is about a neighbouring product and not ours."""
        return self.scope.classify(text) if self.scope and text else None

    # -- step 1: prepare -----------------------------------------------------
    def prepare(self, text: str) -> Query:
        if not isinstance(text, str) or not text.strip():
            raise UsageError("nothing to ask: the query is empty")
        masked, count = redact(text[:MAX_QUERY_CHARS])
        return self.prepare_masked(masked, count)

    def prepare_masked(self, masked: str, redacted: int = 0) -> Query:
        """For text already masked (triage masks each line as it reads it)."""
        hits = match(self.index.rules, masked) or self._fragment_hits(masked)
        scope = self.scope_of(masked)
        focused = focus(masked)
        if not hits and not scope:  # a rule hit needs no help; keep that path fast
            focused = self.index.keyword.speller.correct(focused)
        return Query(masked, redacted, hits, focused, scope)

    def _fragment_hits(self, text: str) -> list[Hit]:
        if len(text) > 300:
            return []
        words = _words(text)
        if len(words.split()) < 3:
            return []
        ids = list(dict.fromkeys(eid for quoted, eid in self._quoted if f" {words} " in quoted))
        return [Hit(eid, "quoted-fragment", text.strip()) for eid in ids] if 0 < len(ids) <= 2 else []

    # -- step 2: rank --------------------------------------------------------
    def rank(
        self,
        queries: list[Query],
        top: int = TOP_DEFAULT,
        weights: Mapping[str, float] | None = None,
        rules: bool = True,
        gate: bool = True,
    ) -> list[AskResult]:
        """One batch. `weights` picks the signals (`chsm eval` ranks by one
        signal alone through the same calibration); `rules=False` ignores rule
        hits; `gate=False` skips the confidence gate (bench/calibrate.py fits it)."""
        gated = gate and weights is None  # the gate was fitted on the fused ranking
        weights = fusion.WEIGHTS if weights is None else weights
        hits = [q.hits if rules else [] for q in queries]
        # Rule hits and out-of-scope texts need no encoder: the rule path stays ~1 ms.
        need = [i for i, q in enumerate(queries) if not hits[i] and not q.scope and weights.get("semantic")]
        vectors = self.encoder.encode([queries[i].focused for i in need])
        sem = dict(zip(need, self._semantic(vectors))) if need else {}
        results = []
        for i, q in enumerate(queries):
            if q.scope is not None:
                scope = ScopeOut(product=q.scope.product, url=q.scope.url)
                results.append(AskResult(query=q.masked, abstained=True, scope=scope, redacted=q.redacted, answers=[]))
                continue
            signals = {"semantic": sem.get(i, {})}
            if weights.get("keyword"):
                signals["keyword"] = self._keyword(q.focused)
            cands = fusion.fuse(signals, weights, self.kinds, [self.row_of[h.entry] for h in hits[i]])
            if gated and cands and not hits[i]:
                # The top score becomes the confidence that it is right; the
                # others keep their order below it.
                p = fusion.confidence(self.features(q, signals))
                top_score = cands[0].score
                for c in cands:
                    c.score = p * c.score / top_score if top_score > 0 else 0.0
            evidence = {self.row_of[h.entry]: h.evidence for h in hits[i]}
            answers = [self._answer(c, evidence.get(c.row)) for c in cands[:top]]
            abstained = not answers or answers[0].score < fusion.ABSTAIN_BELOW
            results.append(AskResult(query=q.masked, abstained=abstained, redacted=q.redacted, answers=answers))
        return results

    def ask(self, text: str, top: int = TOP_DEFAULT) -> AskResult:
        return self.rank([self.prepare(text)], top)[0]

    def ask_many(self, texts: list[str], top: int = TOP_DEFAULT) -> list[AskResult]:
        return self.rank([self.prepare(t) for t in texts], top)

    def features(self, q: Query, signals: Mapping[str, Mapping[int, float]]) -> dict[str, float]:
        """What the confidence gate reads (bench/calibrate.py fits it)."""
        toks = tokenize(q.focused)
        vocab = self.index.keyword.vocab
        cover = sum(t in vocab for t in toks) / len(toks) if toks else 0.0
        return fusion.gate_features(
            signals.get("semantic", {}), signals.get("keyword", {}), cover, lexicon.about_hsm(q.masked), lexicon.in_domain(q.masked)
        )

    # -- the signals ---------------------------------------------------------
    def _semantic(self, vectors: np.ndarray) -> list[dict[int, float]]:
        n = self.index.vectors.ntotal
        sims, ids = self.index.vectors.search(vectors, n)
        out = []
        for srow, irow in zip(sims, ids):
            best: dict[int, float] = {}
            for sim, chunk in zip(srow, irow):
                if chunk < 0:
                    continue
                e = int(self.index.chunk_entry[chunk])
                if e not in best:  # results come best first
                    best[e] = float(sim)
                    if len(best) >= POOL:
                        break
            out.append(best)
        return out

    def _keyword(self, text: str) -> dict[int, float]:
        scores = self.index.keyword.scores(text)
        top = np.argsort(-scores)[:POOL]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _answer(self, cand: fusion.Candidate, evidence: str | None) -> Answer:
        e = self._entries[cand.row]
        return Answer(
            id=e.id,
            title=e.title,
            section=e.section,
            url=e.url,
            score=round(cand.score, 4),
            matched_by=cand.signals,
            evidence=[evidence] if evidence else [],
            fix=e.fix,
            commands=e.commands,
            why=e.why,
        )



_NON_WORD = re2.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()
