"""Is a question or a pasted log about Azure Cloud HSM, or about a neighbour?

The evidence is data: `scope.yml` in the corpus folder (a corpus without one
has no scope checks). Three kinds of RE2 pattern, all case-insensitive:

    ours        evidence for our product (azcloudhsm_util, "Azure Cloud HSM").
                It wins over everything: a text that names both products, such
                as a migration from AWS CloudHSM, is ours to answer.
    maybe_ours  words that may mean us ("cloud hsm", "cloudhsm"). They cancel
                a neighbour's mentions, never its identifiers.
    neighbours  per product, `patterns`: identifiers only that product's users
                write (key_mgmt_util, /opt/cloudhsm/, lunacm, vault.azure.net);
                and `mentions`: its name and nouns ("Managed HSM"), which our
                docs also use when they compare, so they count only when
                nothing in the text may mean us.

When several neighbours have evidence, identifiers beat mentions and, within a
kind, the product listed first in the file wins (so list specific first).
Patterns are RE2 (no lookaround, no backreferences): each search is linear in
the text, and only the first HEAD_CHARS and the last TAIL_CHARS of a paste
are read, so a megabyte costs the same as 24 KB.
"""

from dataclasses import dataclass
from typing import Any
from pathlib import Path

import re2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot import yamltext
from bot.errors import ConfigError
from bot.search.rules import _OPTIONS, compile_rule_pattern

DEFAULT_SCOPE_FILE = "scope.yml"
HEAD_CHARS = 20_000
TAIL_CHARS = 4_000
MAX_EVIDENCE_CHARS = 120
# Pasted from chat and web pages: spaces that RE2's ASCII \s does not see.
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": None, "\ufeff": None})
_STRIP = " \t\r\n'\"`()[]{}<>,;:"


class ScopeError(ConfigError):
    """A scope file that can't be used; the message is one line naming the file."""




def compile_pattern(pattern: str):
    """One RE2 pattern, case-insensitive, as the rules compile theirs."""
    return compile_rule_pattern(pattern, "pattern")


def _check_patterns(patterns: list[str]) -> list[str]:
    for p in patterns:
        compile_pattern(p)
    return patterns


class Neighbour(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str = Field(min_length=1)
    url: str
    patterns: list[str] = Field(min_length=1)
    mentions: list[str] = []

    @field_validator("url")
    @classmethod
    def _https(cls, v: str) -> str:
        if not v.startswith("https://") or len(v) <= len("https://") or any(c.isspace() for c in v):
            raise ValueError(f"url {v!r} must be an https:// address")
        return v

    @field_validator("patterns", "mentions")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return _check_patterns(v)


class ScopeFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ours: list[str] = Field(min_length=1)
    maybe_ours: list[str] = []
    neighbours: list[Neighbour] = Field(min_length=1)

    @field_validator("ours", "maybe_ours")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        return _check_patterns(v)

    @model_validator(mode="after")
    def _unique_products(self) -> "ScopeFile":
        seen: set[str] = set()
        for n in self.neighbours:
            key = n.product.casefold()
            if key in seen:
                raise ValueError(f"product {n.product!r} is listed twice")
            seen.add(key)
        return self


@dataclass(frozen=True)
class ScopeHit:
    product: str
    url: str
    evidence: str  # the text that matched


def _either(patterns: list[str]) -> Any:
    """One compiled alternation: one linear pass per kind of evidence."""
    return re2.compile("|".join(f"(?:{p})" for p in patterns), _OPTIONS) if patterns else None


def _window(text: str) -> str:
    if len(text) > HEAD_CHARS + TAIL_CHARS:
        text = text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]
    return text.translate(_SPACES)


def _evidence(data: bytes, m) -> str:
    found = " ".join(data[m.start() : m.end()].decode("utf-8", "replace").split()).strip(_STRIP)
    return found[:MAX_EVIDENCE_CHARS]


@dataclass(frozen=True)
class _Product:
    name: str
    url: str
    patterns: Any  # compiled RE2 (no type hints)
    mentions: Any | None


class Scope:
    def __init__(self, spec: ScopeFile, source: str = "<scope>"):
        self.spec = spec
        self.source = source
        self._ours = _either(spec.ours)
        self._maybe_ours = _either(spec.maybe_ours)
        self._products = [_Product(n.product, n.url, _either(n.patterns), _either(n.mentions)) for n in spec.neighbours]

    @classmethod
    def load(cls, path: Path) -> "Scope":
        path = Path(path)
        try:
            data = yamltext.parse(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScopeError(f"{path}: scope file not found") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ScopeError(f"{path}: can't read the scope file: {e}") from None
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise ScopeError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None
        if not isinstance(data, dict):
            raise ScopeError(f"{path}: expected a mapping with 'ours' and 'neighbours', got {type(data).__name__}")
        try:
            spec = ScopeFile.model_validate(data)
        except ValidationError as e:
            raise ScopeError(f"{path}: {_first_error(e, data)}") from None
        return cls(spec, str(path))

    @classmethod
    def for_corpus(cls, corpus_dir: Path) -> "Scope | None":
        """The corpus folder's scope, or None when it has no scope file."""
        path = Path(corpus_dir) / DEFAULT_SCOPE_FILE
        return cls.load(path) if path.is_file() else None

    @property
    def products(self) -> list[str]:
        return [p.name for p in self._products]

    def classify(self, text: str) -> ScopeHit | None:
        """A neighbour when the text is about it and not about us; else None."""
        if not text:
            return None
        data = _window(text).encode("utf-8", "replace")
        if self._ours.search(data):
            return None
        for p in self._products:
            m = p.patterns.search(data)
            if m:
                return ScopeHit(p.name, p.url, _evidence(data, m))
        if self._maybe_ours is not None and self._maybe_ours.search(data):
            return None
        for p in self._products:
            m = p.mentions.search(data) if p.mentions is not None else None
            if m:
                return ScopeHit(p.name, p.url, _evidence(data, m))
        return None


def _first_error(e: ValidationError, data: dict) -> str:
    errors = e.errors()
    err = errors[0]
    loc = err.get("loc", ())
    parts: list[str] = []
    node: Any = data
    for i, key in enumerate(loc):
        if isinstance(key, int):
            parts[-1:] = [f"{parts[-1]}[{key}]" if parts else f"[{key}]"]
            try:
                node = node[key]
            except (IndexError, KeyError, TypeError):
                node = None
            # name the product, not just its index
            if i >= 1 and loc[i - 1] == "neighbours" and isinstance(node, dict) and node.get("product"):
                parts[-1] += f" ({node['product']})"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    where = ".".join(parts)
    return f"{where}: {msg}{more}" if where else f"{msg}{more}"
