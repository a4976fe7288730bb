"""Load the labelled cases and score a redact function against them."""

import importlib.util
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"secrets_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load() -> list[dict]:
    cases = []
    for split in ("train", "heldout"):
        for case in _module(split).CASES:
            cases.append({**case, "split": split})
    return cases


def score(redact, cases: list[dict]) -> dict:
    """Per (split, family): secrets, leaked, kept substrings, over-masked; plus the failing cases."""
    stats: dict = defaultdict(lambda: {"secrets": 0, "leaked": 0, "keep": 0, "masked": 0})
    failures = []
    for case in cases:
        out, _ = redact(case["text"])
        row = stats[(case["split"], case["family"])]
        leaked = [s for s in case["secrets"] if s in out]
        lost = [k for k in case["keep"] if k not in out]
        row["secrets"] += len(case["secrets"])
        row["leaked"] += len(leaked)
        row["keep"] += len(case["keep"])
        row["masked"] += len(lost)
        if leaked or lost:
            failures.append({"split": case["split"], "family": case["family"], "text": case["text"], "out": out, "leaked": leaked, "lost": lost})
    return {"stats": dict(stats), "failures": failures}
