"""fuse() as a table: the rule promise, abstain at 0.5, tie-breaks, signal names."""

import pytest

from bot.search import fuse as fusion
from bot.search.fuse import ABSTAIN_BELOW, RULE_FLOOR, WEIGHTS, fuse

KINDS = ["article", "troubleshooting", "faq", "article"]


@pytest.mark.parametrize(
    "signals,rule_rows,first",
    [
        # The review's counter-example: a strong non-rule row never outranks a rule hit.
        ({"semantic": {0: 0.2, 1: 0.6}, "keyword": {1: 5.0}}, [0], 0),
        ({"semantic": {1: 0.99}, "keyword": {1: 99.0}}, [3], 3),
        # Among rule hits, rule order.
        ({"semantic": {2: 0.9, 3: 0.1}}, [3, 2], 3),
        # No rule: the mix decides.
        ({"semantic": {0: 0.3, 1: 0.6}, "keyword": {0: 1.0}}, [], 1),
    ],
)
def test_rule_hits_come_first_and_in_rule_order(signals, rule_rows, first):
    out = fuse(signals, WEIGHTS, KINDS, rule_rows)
    assert out[0].row == first
    if rule_rows:
        assert all(c.score >= RULE_FLOOR for c in out if c.row in rule_rows)
        assert all(c.score < RULE_FLOOR for c in out if c.row not in rule_rows)
        ranked = [c.row for c in out if c.row in rule_rows]
        assert ranked == rule_rows


def test_abstain_threshold_is_the_calibration_midpoint():
    assert fusion.calibrate(fusion.MIDPOINT) == pytest.approx(ABSTAIN_BELOW)
    weak = fuse({"semantic": {0: 0.1}}, WEIGHTS, KINDS, [])
    assert weak[0].score < ABSTAIN_BELOW


def test_ties_break_by_mix_then_row():
    out = fuse({"semantic": {0: 0.5, 3: 0.5}}, WEIGHTS, KINDS, [])
    assert [c.row for c in out] == [0, 3]


@pytest.mark.parametrize(
    "signals,rule_rows,names",
    [
        ({"semantic": {0: 0.8}, "keyword": {0: 9.0}}, [0], ["regex", "semantic", "keyword"]),
        ({"semantic": {0: 0.8}, "keyword": {0: 9.0}}, [], ["semantic", "keyword"]),
        ({"semantic": {0: 0.1}, "keyword": {0: 0.5}}, [], ["semantic"]),  # weak everywhere: the stronger one
        ({"keyword": {0: 3.0}}, [], ["keyword"]),
    ],
)
def test_matched_by_names_the_signals_that_fired(signals, rule_rows, names):
    assert fuse(signals, WEIGHTS, KINDS, rule_rows)[0].signals == names


def test_single_signal_weights_ignore_the_other():
    out = fuse({"semantic": {0: 0.9}, "keyword": {1: 50.0}}, {"semantic": 1.0}, KINDS, [])
    assert [c.row for c in out] == [0]


def test_confidence_is_monotone_in_each_signal():
    base = fusion.gate_features({0: 0.5, 1: 0.3}, {0: 6.0, 1: 2.0}, 0.8, True, True)
    p = fusion.confidence(base)
    for name in ("s1", "cover", "hsm", "agree"):
        assert fusion.confidence({**base, name: base[name] + 0.5}) > p
    assert 0.0 < p < 1.0
