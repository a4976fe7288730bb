"""Every rule, curated and derived, with positive and negative examples."""

import pytest

from bot.corpus import load_corpus
from bot.search.rules import build_rules, derive_pattern, load_curated, match

from conftest import CORPUS

ENTRIES = load_corpus(CORPUS)
RULES, WARNINGS = build_rules(ENTRIES)
CURATED = load_curated()
BY_NAME = {r.name: r for r in RULES}


def test_every_curated_rule_points_at_an_entry():
    assert WARNINGS == []
    assert {c["name"] for c in CURATED} <= set(BY_NAME)


@pytest.mark.parametrize("spec", CURATED, ids=[c["name"] for c in CURATED])
def test_curated_examples(spec):
    rule = BY_NAME[spec["name"]]
    assert spec["positive"] and spec["negative"], "each rule needs both kinds of example"
    for text in spec["positive"]:
        assert rule.pattern.search(text), f"{spec['name']} should match {text!r}"
    for text in spec["negative"]:
        assert not rule.pattern.search(text), f"{spec['name']} should not match {text!r}"


DERIVED = [r for r in RULES if not r.curated]


@pytest.mark.parametrize("rule", DERIVED, ids=[r.name for r in DERIVED])
def test_derived_rule_matches_its_error_in_pasted_forms(rule):
    full = rule.source
    assert rule.pattern.search(full)
    assert rule.pattern.search(full.upper())
    assert rule.pattern.search("2026-11-27T10:00:00Z host app[42]: " + full.replace(" ", "  ") + " (pid 42)")
    # Negative: half of the message is not the message.
    words = full.split()
    assert not rule.pattern.search(" ".join(words[: max(1, len(words) // 2 - 1)]))


@pytest.mark.parametrize(
    "text",
    ["C_Login failed with error code: 0x000000A3", "c_login FAILED with error code 0xa3", "C_Login  failed with error code:0xa3"],
)
def test_hex_width_case_and_spacing(text):
    hits = match(RULES, text)
    assert hits and "0xa3" in next(e.title for e in ENTRIES if e.id == hits[0].entry)


def test_short_strings_make_no_rule():
    assert derive_pattern("not found") is None


def test_unrelated_text_fires_nothing():
    for text in ["INFO request served in 12 ms", "ssh: connect to host 10.0.0.4 port 22: Connection refused", ""]:
        assert match(RULES, text) == []
