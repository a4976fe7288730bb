"""Write tests/eval/queries.jsonl from the hand-written source lists.

    .venv/bin/python tests/eval/build_queries.py

The split is fixed in the sources (each kind has a TRAIN and a HELDOUT list,
written by different hands); nothing here is random. Rows keep source order.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _exact  # noqa: E402
import _logq  # noqa: E402
import _neighbour  # noqa: E402
import _offtopic  # noqa: E402
import _para_heldout  # noqa: E402
import _para_train  # noqa: E402
import _typo_chatter_both as tcb  # noqa: E402

ANSWERABLE = [
    ("exact", _exact.TRAIN, _exact.HELDOUT),
    ("log", _logq.TRAIN, _logq.HELDOUT),
    ("paraphrase", _para_train.TRAIN, _para_heldout.HELDOUT),
    ("typo", tcb.TYPO_TRAIN, tcb.TYPO_HELDOUT),
    ("chatter", tcb.CHATTER_TRAIN, tcb.CHATTER_HELDOUT),
    ("both", tcb.BOTH_TRAIN, tcb.BOTH_HELDOUT),
]
ABSTAIN = [
    ("neighbour", _neighbour.TRAIN, _neighbour.HELDOUT),
    ("azure", _offtopic.AZURE_TRAIN, _offtopic.AZURE_HELDOUT),
    ("generic", _offtopic.GENERIC_TRAIN, _offtopic.GENERIC_HELDOUT),
    ("chitchat", _offtopic.CHITCHAT_TRAIN, _offtopic.CHITCHAT_HELDOUT),
]


def rows():
    for kind, train, heldout in ANSWERABLE:
        for split, items in (("train", train), ("heldout", heldout)):
            for query, expect in items:
                yield {"query": query, "kind": kind, "expect": list(expect), "split": split}
    for kind, train, heldout in ABSTAIN:
        for split, items in (("train", train), ("heldout", heldout)):
            for query in items:
                yield {"query": query, "kind": kind, "expect": [], "split": split}


def main() -> None:
    out = HERE / "queries.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} rows to {out}")


if __name__ == "__main__":
    main()
