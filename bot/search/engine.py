"""The answer engine: a query (or many) -> ranked, cited answers."""

import re
from pathlib import Path

import numpy as np

from bot.errors import UsageError
from bot.models import Answer, AskResult, Entry
from bot.redact import redact
from bot.search import embed
from bot.search import fuse as fusion
from bot.search import store
from bot.search.rules import match

MAX_QUERY_CHARS = 200_000  # a whole pasted log; rules are linear, the encoder reads 256 tokens
TOP_DEFAULT = 3
POOL = 20  # candidates per signal before fusion

# Lines in a multi-line paste that look like the problem; the rest is noise
# for the semantic and keyword signals (rules still see everything).
_ERRORISH = re.compile(
    r"(?i)error|fail|fatal|denied|invalid|not found|not set|not present|cannot|can't|could not|"
    r"unable|exception|refused|timed? ?out|critical|ckr_|ora-\d|liquidsecurity|missing"
)


def focus(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) <= 1:
        return text.strip()
    errs = [ln for ln in lines if _ERRORISH.search(ln)]
    return "\n".join(dict.fromkeys(errs or lines))[:2000]


class Engine:
    def __init__(self, index: store.Index):
        self.index = index
        self.entries: list[Entry] = index.entries
        self.kinds = [e.kind for e in self.entries]
        self.row_of = {e.id: i for i, e in enumerate(self.entries)}
        self.encoder = embed.QueryEncoder(index.folder / embed.ONNX_FILE)

    @classmethod
    def open(cls, corpus_dir: Path, index_dir: Path, log=None) -> "Engine":
        return cls(store.ensure(corpus_dir, index_dir, log=log))

    def info(self) -> dict:
        """What /healthz and logs may say about the loaded index."""
        m = self.index.manifest
        return {"entries": m["entries"], "model": m["model"], "corpus_hash": m["corpus_hash"][:12]}

    # -- single signals, exposed for `chsm eval` ---------------------------
    def semantic_scores(self, vectors: np.ndarray) -> list[dict[int, float]]:
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

    def keyword_scores(self, text: str) -> dict[int, float]:
        scores = self.index.keyword.scores(text)
        top = np.argsort(-scores)[:POOL]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    # -- the fused ranking ---------------------------------------------------
    def ask(self, text: str, top: int = TOP_DEFAULT) -> AskResult:
        return self.ask_many([text], top)[0]

    def ask_many(self, texts: list[str], top: int = TOP_DEFAULT, mode: str = "fused") -> list[AskResult]:
        """`mode` "semantic" or "keyword" ranks by that signal alone, through
        the same calibration: `chsm eval` compares them with the fusion."""
        prepared = [self._prepare(t) for t in texts]
        if mode != "fused":
            prepared = [(m, c, [], f) for m, c, _, f in prepared]
        # Rule hits answer without the encoder: the rule path stays ~1 ms.
        need = [] if mode == "keyword" else [i for i, p in enumerate(prepared) if not p[2]]
        vectors = self.encoder.encode([prepared[i][3] for i in need])
        sem = dict(zip(need, self.semantic_scores(vectors))) if need else {}
        weight = {"fused": fusion.SEMANTIC_WEIGHT, "semantic": 1.0, "keyword": 0.0}[mode]
        results = []
        for i, (masked, count, hits, focused) in enumerate(prepared):
            cands = fusion.fuse(
                sem.get(i, {}),
                {} if mode == "semantic" else self.keyword_scores(focused),
                self.kinds,
                [self.row_of[h.entry] for h in hits],
                weight,
            )
            evidence = {self.row_of[h.entry]: h.evidence for h in hits}
            answers = [self._answer(c, evidence.get(c.row)) for c in cands[:top]]
            abstained = not answers or answers[0].score < 0.5
            results.append(AskResult(query=masked, abstained=abstained, redacted=count, answers=answers))
        return results

    def _prepare(self, text: str):
        if not text or not text.strip():
            raise UsageError("nothing to ask: the query is empty")
        masked, count = redact(text[:MAX_QUERY_CHARS])
        hits = match(self.index.rules, masked)
        focused = focus(masked)
        if not hits:  # a rule hit needs no help; keep that path fast
            focused = self.index.keyword.speller.correct(focused)
        return masked, count, hits, focused

    def _answer(self, cand: fusion.Candidate, evidence: str | None) -> Answer:
        e = self.entries[cand.row]
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
