"""The contract's JSON shapes (../shared/contract.md) and the corpus entry."""

from pydantic import BaseModel, Field


class Entry(BaseModel):
    id: str
    title: str
    section: str
    doc: str
    url: str
    kind: str  # "troubleshooting" | "faq" | "article": troubleshooting wins ties
    context: str  # heading path, for embedding long sections
    why: str  # first paragraph, plain text
    fix: str  # markdown body, cleaned
    commands: list[str] = []
    errors: list[str] = []  # error strings the entry quotes
    tags: list[str] = []


class Answer(BaseModel):
    id: str
    title: str
    section: str
    url: str
    score: float
    matched_by: list[str]
    evidence: list[str]
    fix: str
    commands: list[str]
    # Not in the contract's JSON; renderers use it for the one line of "why".
    why: str = Field(default="", exclude=True)


class Scope(BaseModel):
    """The query is about a neighbouring product, not Azure Cloud HSM."""

    product: str
    url: str


class AskResult(BaseModel):
    query: str
    abstained: bool
    scope: Scope | None = None
    redacted: int
    answers: list[Answer]


class LineRef(BaseModel):
    line: int
    count: int
    text: str


class Finding(LineRef):
    last_line: int
    first_seen: str | None = None  # timestamps as written in the log
    last_seen: str | None = None
    hosts: list[str] = []
    answer: Answer


class TriageResult(BaseModel):
    source: str
    lines: int
    redacted: int
    findings: list[Finding]
    unmatched: list[LineRef]
    # Why the report is partial or what was skipped ("stopped after 60 s at
    # line N of M"); empty for a complete triage.
    notes: list[str] = []
