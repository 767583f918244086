"""EXPLAIN (ANALYZE, BUFFERS) of the statements that dominate, and what to look for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg

from bench.statements import as_psycopg
from closient_cli.stats import REPORT_WORK_MEM


@dataclass(frozen=True)
class Plan:
    text: str

    @property
    def heap_fetches(self) -> int:
        return sum(int(n) for n in re.findall(r"Heap Fetches: (\d+)", self.text))

    @property
    def spills(self) -> bool:
        batches = [int(n) for n in re.findall(r"Batches: (\d+)", self.text)]
        return (
            "external" in self.text
            or "Disk:" in self.text
            or any(n > 1 for n in batches)
        )

    @property
    def lossy(self) -> bool:
        return "lossy=" in self.text

    @property
    def jit(self) -> bool:
        return "JIT:" in self.text

    @property
    def index_only_scans(self) -> int:
        return self.text.count("Index Only Scan")

    @property
    def execution_ms(self) -> float:
        found = re.search(r"Execution Time: ([0-9.]+) ms", self.text)
        return float(found.group(1)) if found else 0.0


def explain_all(
    conninfo: str, statements: Mapping[str, str], params: Mapping[str, str | int | None]
) -> dict[str, Plan]:
    """Each statement's plan, run as closient runs it (jit off, one snapshot)."""
    plans = {}
    with psycopg.connect(conninfo) as connection:
        connection.execute("SET jit = off")
        connection.commit()
        for name, sql in statements.items():
            with connection.transaction():
                connection.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
                connection.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                connection.execute(  # warm the cache for this statement
                    as_psycopg(sql), params
                ).fetchall()
                rows = connection.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + as_psycopg(sql), params
                ).fetchall()
            plans[name] = Plan("\n".join(str(row[0]) for row in rows))
    return plans


@dataclass(frozen=True)
class IndexEffect:
    """How the plans of closient's statements change without one index."""

    index: str
    table: str
    statements: tuple[str, ...]
    with_index_ms: float
    without_index_ms: float
    replaced_by: tuple[str, ...]


_SCAN_ON = re.compile(
    r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Heap Scan|"
    r"Seq Scan)(?: using \w+)? on (\w+))"
)


def index_effects(
    conninfo: str,
    statements: Mapping[str, str],
    params: Mapping[str, str | int | None],
    plans: Mapping[str, Plan],
) -> list[IndexEffect]:
    """For each recommended index the plans use: the plans again without it.

    The index is dropped inside a transaction that is rolled back, so the database
    keeps it; the statements are explained in that transaction.
    """
    from closient_cli.doctor import recommended_indexes

    effects = []
    with psycopg.connect(conninfo) as connection:
        connection.execute("SET jit = off")
        connection.commit()
        for index in recommended_indexes("postgresql"):
            users = [n for n, plan in plans.items() if index.name in plan.text]
            if not users:
                continue
            with connection.transaction(force_rollback=True):
                connection.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                connection.execute(f"DROP INDEX {index.name}")
                without = []
                for name in users:
                    rows = connection.execute(
                        "EXPLAIN (ANALYZE, BUFFERS) " + as_psycopg(statements[name]),
                        params,
                    ).fetchall()
                    without.append(Plan("\n".join(str(row[0]) for row in rows)))
            table = index.shape.table
            replaced = sorted(
                {
                    scan
                    for plan in without
                    for scan, on in _SCAN_ON.findall(plan.text)
                    if on == table
                }
            )
            effects.append(
                IndexEffect(
                    index=index.name,
                    table=table,
                    statements=tuple(users),
                    with_index_ms=sum(plans[n].execution_ms for n in users),
                    without_index_ms=sum(plan.execution_ms for plan in without),
                    replaced_by=tuple(replaced),
                )
            )
    return effects
