"""BM25 over entries, with a tokenizer that keeps error identifiers whole
(`azcloudhsm_openssl_conf`, `0xa3`) and also indexes their parts.

bm25s builds and saves the index: per token, the score of each entry that
has it (a CSC matrix, `indptr`/`indices`/`data`). Scoring a query sums those
rows, so loading and querying read the saved arrays with numpy alone: bm25s
imports scipy, 0.4 s in every process that loads an index."""

import json
import re
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"[a-z0-9][a-z0-9_.#-]*[a-z0-9#]|[a-z0-9]")
_HEX = re.compile(r"^0x0*([0-9a-f]+)$")
_STOP = frozenset(
    "a an and are as at be by can do does for from get getting how i if in is it its me my of on or "
    "should so that the this to was we what when where which who why will with you your am im ive "
    "our us there their them they these those have has had not no yes any all".split()
)


def tokenize(text: str) -> list[str]:
    out = []
    for tok in _TOKEN.findall(text.lower()):
        hexm = _HEX.match(tok)
        if hexm:
            out.append("0x" + hexm.group(1))
            continue
        parts = [p for p in re.split(r"[_.#-]", tok) if p]
        if len(parts) > 1:
            out.append(tok.replace("#", ""))
        out.extend(p for p in parts if p not in _STOP)
    return out


_WORD = re.compile(r"[A-Za-z]{4,}")


class Speller:
    """Typos corrected against the corpus's own vocabulary: "bakup" finds
    "backup", "credentails" finds "credentials". Only words the corpus does
    not know are touched, and only within one edit (two for long words)."""

    def __init__(self, vocab: list[str]):
        self.known = frozenset(vocab)
        self.words = sorted(w for w in vocab if w.isalpha() and len(w) >= 3)

    def correct(self, text: str) -> str:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        def fix(m: re.Match) -> str:
            word = m.group(0)
            low = word.lower()
            if low in self.known or low in _STOP:
                return word
            best = process.extractOne(
                low, self.words, scorer=Levenshtein.distance, score_cutoff=1 if len(low) <= 6 else 2
            )
            return best[0] if best else word

        return _WORD.sub(fix, text)


class Keyword:
    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, num_docs: int, *, retriever=None):
        if not len(indptr) or indptr[0] != 0 or int(indptr[-1]) != len(data) or len(indices) != len(data) or (np.diff(indptr) < 0).any():
            raise ValueError("the BM25 arrays disagree with each other")
        if len(indices) and int(indices.max()) >= num_docs:
            raise ValueError("the BM25 arrays name entries past the last")
        # bm25s gives the empty token an id past the last row; our tokens are never empty.
        self.vocab = {tok: t for tok, t in vocab.items() if isinstance(t, int) and 0 <= t < len(indptr) - 1}
        self.indptr, self.indices, self.data = indptr, indices, data
        self.num_docs = num_docs
        self.speller = Speller(list(self.vocab))
        self._retriever = retriever  # only when built in this process: save() writes through bm25s

    @classmethod
    def build(cls, docs: list[str]) -> "Keyword":
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)  # the "lucene" variant: no score for absent tokens
        retriever.index([tokenize(d) or ["<empty>"] for d in docs], show_progress=False)
        s = retriever.scores
        return cls(retriever.vocab_dict, s["indptr"], s["indices"], s["data"], s["num_docs"], retriever=retriever)

    def save(self, folder: Path) -> None:
        if self._retriever is None:
            raise RuntimeError("only an index built in this process can be saved")
        self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "Keyword":
        """What bm25s.BM25.save wrote (ValueError or OSError when it cannot be read)."""
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != "lucene" or (folder / "nonoccurrence_array.index.npy").exists():
            raise ValueError(f"a BM25 variant this reader does not score: {params.get('method')!r}")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, dict):
            raise ValueError("the BM25 vocabulary is not a mapping")
        indptr, indices, data = (np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in ("indptr", "indices", "data"))
        return cls(vocab, indptr, indices, data, int(params["num_docs"]))

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.num_docs, dtype=np.float32)
        for tok in tokenize(query):
            t = self.vocab.get(tok)
            if t is not None:  # a token twice in the query counts twice, as in bm25s
                start, end = self.indptr[t], self.indptr[t + 1]
                out[self.indices[start:end]] += self.data[start:end]  # an entry appears once per token
        return out
