"""Which of the indexes closient recommends a live database lacks.

The recommended set is read from the packaged ``sql/schema/<engine>.sql``; the live set
from the database's catalogue. Two indexes are the same when they are on the same table,
with the same key columns in the same order, the same INCLUDE columns and the same
predicate. Nothing here changes the database: the statements are printed for a person
to run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from closient_cli.queries import fetch_all, load

if TYPE_CHECKING:
    from closient_cli.database import Database

_CREATE_INDEX = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>\S+)\s+ON\s+(?:ONLY\s+)?(?P<table>[\w.\"]+)\s*"
    r"(?:USING\s+\w+\s*)?\((?P<columns>[^)]*)\)"
    r"(?:\s*INCLUDE\s*\((?P<include>[^)]*)\))?"
    r"(?:\s*WHERE\s+(?P<where>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NEGATION = re.compile(r"<>|!=|\bNOT\b", re.IGNORECASE)


@dataclass(frozen=True)
class IndexShape:
    """What makes two indexes interchangeable for closient's queries."""

    table: str
    columns: tuple[str, ...]
    include: tuple[str, ...]
    predicate: tuple[frozenset[str], frozenset[str], bool] | None


@dataclass(frozen=True)
class Index:
    """One index: its name, its shape and the statement that creates it."""

    name: str
    shape: IndexShape
    statement: str


@dataclass(frozen=True)
class Diagnosis:
    """The recommended indexes a database has, and those it lacks."""

    dialect: str
    present: tuple[Index, ...]
    missing: tuple[Index, ...]

    def fixes(self) -> list[str]:
        """The statements a DBA would run to add the missing indexes."""
        return [create_statement(index, self.dialect) for index in self.missing]

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.dialect,
            "recommended": len(self.present) + len(self.missing),
            "present": [index.name for index in self.present],
            "missing": [
                {
                    "name": index.name,
                    "table": index.shape.table,
                    "columns": list(index.shape.columns),
                    "statement": create_statement(index, self.dialect),
                }
                for index in self.missing
            ],
        }


def _unquote(name: str) -> str:
    return name.strip().strip('"').rsplit(".", 1)[-1].strip('"')


def _column_list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(_unquote(part.split()[0]) for part in text.split(",") if part.strip())


def _predicate(text: str | None) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """A predicate as its literals, its words and whether it negates.

    PostgreSQL prints ``status IN ('a', 'b')`` back as
    ``((status)::text = ANY ((ARRAY['a'::character varying, ...])::text[]))``; the
    literals and the column names survive that rewriting, so they are compared (type
    names and keywords are left out by keeping only lower-case words that are not
    types).
    """
    if not text:
        return None
    cleaned = text.strip().rstrip(";")
    literals = frozenset(_LITERAL.findall(cleaned))
    without_literals = _LITERAL.sub(" ", cleaned)
    words = frozenset(
        word
        for word in _WORD.findall(without_literals)
        if word.islower() and word not in _TYPE_WORDS
    )
    return literals, words, bool(_NEGATION.search(without_literals))


_TYPE_WORDS = frozenset({"text", "character", "varying", "varchar", "uuid", "date"})


def parse_index(statement: str) -> Index | None:
    """An index from its CREATE INDEX statement, or None if it cannot be read."""
    flat = " ".join(statement.split()).rstrip(";")
    match = _CREATE_INDEX.match(flat)
    if match is None:
        return None
    shape = IndexShape(
        table=_unquote(match.group("table")),
        columns=_column_list(match.group("columns")),
        include=_column_list(match.group("include")),
        predicate=_predicate(match.group("where")),
    )
    return Index(_unquote(match.group("name")), shape, flat)


def recommended_indexes(dialect: str) -> list[Index]:
    """The CREATE INDEX statements of the packaged schema file for this engine."""
    from closient_cli.catalogue import schema_statements

    parsed = (parse_index(s) for s in schema_statements(dialect))
    return [index for index in parsed if index is not None]


def create_statement(index: Index, dialect: str) -> str:
    """The statement that adds the index without blocking writes where possible."""
    body = re.sub(r"^CREATE\s+INDEX\s+", "", index.statement, flags=re.IGNORECASE)
    if dialect == "postgresql":
        return f"CREATE INDEX CONCURRENTLY {body};"
    return f"CREATE INDEX {body};"


def diagnose(
    recommended: Iterable[Index], live: Iterable[Index], dialect: str
) -> Diagnosis:
    """Split the recommended indexes into those the live set has and those it lacks."""
    shapes = {index.shape for index in live}
    present: list[Index] = []
    missing: list[Index] = []
    for index in recommended:
        (present if index.shape in shapes else missing).append(index)
    return Diagnosis(dialect, tuple(present), tuple(missing))


def live_indexes(database: Database) -> list[Index]:
    """The valid indexes of the database, read in one read-only snapshot."""
    from closient_cli.database import snapshot

    with snapshot(database) as connection:
        rows = fetch_all(connection, load("doctor/indexes", database.dialect), {})
    parsed = (parse_index(str(row["definition"])) for row in rows)
    return [index for index in parsed if index is not None]


def check(database: Database) -> Diagnosis:
    """The recommended indexes this database has and lacks."""
    return diagnose(
        recommended_indexes(database.dialect), live_indexes(database), database.dialect
    )


def render_text(diagnosis: Diagnosis) -> str:
    """The diagnosis for a person: what is missing and what a DBA would run."""
    total = len(diagnosis.present) + len(diagnosis.missing)
    if not diagnosis.missing:
        return f"All {total} indexes closient recommends are present.\n"
    lines = [
        f"{len(diagnosis.missing)} of the {total} indexes closient recommends "
        "are missing:",
        *(
            f"  {index.name} on {index.shape.table} ({', '.join(index.shape.columns)})"
            for index in diagnosis.missing
        ),
        "",
        "closient does not change the database. A DBA can add them with:",
        "",
        *diagnosis.fixes(),
    ]
    return "\n".join(lines) + "\n"
