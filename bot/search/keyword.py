"""BM25 over entries (bm25s), with a tokenizer that keeps error identifiers
whole (`azcloudhsm_openssl_conf`, `0xa3`) and also indexes their parts."""

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
    def __init__(self, retriever):
        self.retriever = retriever
        self.speller = Speller(list(retriever.vocab_dict))

    @classmethod
    def build(cls, docs: list[str]) -> "Keyword":
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index([tokenize(d) or ["<empty>"] for d in docs], show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "Keyword":
        import bm25s

        return cls(bm25s.BM25.load(str(folder)))

    def scores(self, query: str) -> np.ndarray:
        vocab = self.retriever.vocab_dict
        toks = [t for t in tokenize(query) if t in vocab]
        if not toks:
            return np.zeros(self.retriever.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.retriever.get_scores(toks), dtype=np.float32)
