"""YAML text to Python data, one way for the whole package.

libyaml's C loader when PyYAML was built with it: it reads rules.yml in 3 ms
where the pure-Python loader takes 34, and every engine load reads it. Both
are safe loaders and raise the same yaml.YAMLError (with problem_mark)."""

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
