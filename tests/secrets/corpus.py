"""Load the labelled cases and score a redact function against them."""

import importlib.util
import random
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


def realistic(n_chars: int, seed: int = 1) -> str:
    """Chat/log text: mostly plain log lines, some with secret words and secrets."""
    rng = random.Random(seed)
    texts = [c["text"] for c in load()]
    plain = [
        "2026-11-27T10:00:0{i}Z app01 myapp[1234]: INFO request {i} served in 12 ms",
        "C_Initialize() failed with 00000005 (Failed to connect socket) on node {i}",
        "loginHSM success on server {i}(10.0.2.4)",
        "WARN retrying connection to 10.0.2.{i}:2225 after timeout",
        "Key Handle: 2621{i} Label: tls-key  Class: private  Type: RSA",
        "hey, anyone seen RET_USER_LOGIN_FAILURE after the upgrade? {i}",
    ]
    out, size = [], 0
    while size < n_chars:
        line = rng.choice(texts) if rng.random() < 0.15 else rng.choice(plain).format(i=rng.randint(0, 9))
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)[:n_chars]
