"""bench/RESULTS.md: the figures, the targets as ratios, the machine and the plans."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.catalogue import Tenant
from bench.plans import IndexEffect, Plan
from bench.timing import ProcessSeries, Timed

COMMAND = "python -m bench.run"


@dataclass(frozen=True)
class Results:
    args: argparse.Namespace
    as_of: date
    machine: dict[str, str]
    row_counts: dict[str, int]
    load_seconds: float | None
    big: Tenant
    small: Tenant
    answer: dict[str, int]
    naive_answer: dict[str, int]
    tool_sql: Timed
    small_sql: Timed
    per_statement: dict[str, float]
    psql_total: Timed
    psql_per_statement: dict[str, float]
    naive: Timed
    floor: Timed
    floor_each: dict[str, tuple[float, str]]
    floor_counts: dict[str, int]
    end_to_end: dict[int, ProcessSeries]
    startup: dict[str, tuple[ProcessSeries, tuple[str, ...]]]
    statement_plans: dict[str, Plan]
    index_effects: list[IndexEffect]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def command_line(args: argparse.Namespace) -> str:
    parts = [COMMAND]
    defaults = {
        "products": 1_000_000,
        "small_org_products": 1_000,
        "orgs": 50,
        "runs": 7,
        "naive_runs": 1,
        "startup_runs": 15,
    }
    for name, default in defaults.items():
        value = getattr(args, name)
        if value != default:
            parts.append(f"--{name.replace('_', '-')} {value}")
    if args.big_org_products != args.products // 5:
        parts.append(f"--big-org-products {args.big_org_products}")
    if args.database:
        parts.append("--database URL")
    return " ".join(parts)


def write_results(results: Results, path: Path) -> None:
    path.write_text("\n".join(_document(results)) + "\n", encoding="utf-8")


def _document(r: Results) -> list[str]:
    return [
        "# closient benchmark results",
        "",
        f"Written by `{command_line(r.args)}` (see the README's Speed section). "
        "Every figure is the median of warm runs; the first run of each "
        "measurement is discarded.",
        "",
        *_setup(r),
        *_headline(r),
        *_targets(r),
        *_why(r),
        *_sql_breakdown(r),
        *_startup(r),
        *_indexes(r),
        *_plans(r),
    ]


def _setup(r: Results) -> list[str]:
    lines = ["## Machine and catalogue", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in r.machine.items()]
    lines += [
        f"| report date | {r.as_of.isoformat()} |",
        f"| warm runs per measurement | {r.args.runs} (naive baseline: "
        f"{r.args.naive_runs}, start-up commands: {r.args.startup_runs}) |",
    ]
    if r.load_seconds:
        lines.append(
            f"| generation, indexing and VACUUM ANALYZE | {r.load_seconds:.0f} s |"
        )
    lines += ["", "| table | rows |", "|---|---:|"]
    lines += [f"| {table} | {count:,} |" for table, count in r.row_counts.items()]
    lines += [
        "",
        f"The big organization owns {r.big.products:,} products, the small one "
        f"{r.small.products:,}; {r.args.orgs} other organizations share the rest, "
        "one product in a hundred is unclaimed, and offers belong to the product's "
        "owner seven times in ten, else to another organization.",
        "",
    ]
    return lines


def _headline(r: Results) -> list[str]:
    big = r.end_to_end[r.big.products]
    database_imports = r.startup[_DATABASE_IMPORTS][0].median
    same = "identical" if r.naive_answer == r.answer else "**different**"
    return [
        f"## Headline: `closient stats` on {r.big.products:,} products",
        "",
        "| measurement | median |",
        "|---|---:|",
        f"| `closient stats ORG --json`, end to end (child process) | "
        f"{ms(big.median)} |",
        f"| its SQL alone, in-process (`compute_stats`, one snapshot) | "
        f"{ms(r.tool_sql.median)} |",
        f"| the same statements through `psql` (`\\timing`) | "
        f"{ms(r.psql_total.median)} |",
        f"| naive baseline (query per counter, per-product lookups, Python) | "
        f"{ms(r.naive.median)} |",
        f"| floor: index-only counts of every row the answer must touch (sum of "
        "each count's fastest median) | "
        f"{ms(r.floor.median)} |",
        f"| importing closient's command layer and database libraries | "
        f"{ms(database_imports)} |",
        "",
        f"The naive baseline's counters are {same} to closient's: `{_json(r.answer)}`.",
        "",
    ]


def _json(values: dict[str, int]) -> str:
    import json

    return json.dumps(values)


_TYPER = 'python -c "import typer"'
_COMMAND_LAYER = 'python -c "import closient\'s command layer"'
_DATABASE_IMPORTS = 'python -c "import <closient\'s database libraries>"'
_EARLY = (
    "closient --version",
    "closient --help",
    "closient stats BAD-ID (exit 2)",
    "closient stats ORG --api-key MALFORMED (exit 3)",
    "closient stats ORG --as-of 2026-02-30 (exit 2)",
)


def _targets(r: Results) -> list[str]:
    sql = r.tool_sql.median
    speedup = r.naive.median / sql
    over_floor = sql / r.floor.median
    big = r.end_to_end[r.big.products]
    small = r.end_to_end[r.small.products]
    imports = r.startup[_DATABASE_IMPORTS][0].median
    overhead = big.median - sql - imports
    typer = r.startup[_TYPER][0].median
    worst_early = max(r.startup[label][0].median for label in _EARLY) / typer
    heavy = sorted({m for label in _EARLY for m in r.startup[label][1]})
    memory = big.max_rss_kib / small.max_rss_kib
    return [
        "## Targets, as ratios measured in this run",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| SQL at least 10x faster than the naive baseline | {speedup:,.1f}x | "
        f"{_verdict(speedup >= 10)} |",
        f"| SQL within 1.5x of the floor | {over_floor:.2f}x | "
        f"{_verdict(over_floor <= 1.5)} |",
        f"| end to end adds at most 0.2 s to SQL + database imports | "
        f"{overhead:+.3f} s ({ms(big.median)} - {ms(sql)} - {ms(imports)}) | "
        f"{_verdict(overhead <= 0.2)} |",
        f"| --version, --help and early errors within 1.5x of `import typer` | "
        f"worst {worst_early:.2f}x | {_verdict(worst_early <= 1.5)} |",
        f"| ... and they import neither SQLAlchemy nor psycopg (`-X importtime`) | "
        f"{', '.join(heavy) or 'neither imported'} | {_verdict(not heavy)} |",
        f"| peak memory the same within 10% at {r.small.products:,} and "
        f"{r.big.products:,} products | {small.max_rss_kib / 1024:.1f} MiB vs "
        f"{big.max_rss_kib / 1024:.1f} MiB ({memory:.2f}x) | "
        f"{_verdict(abs(memory - 1) <= 0.10)} |",
        "",
        f"`psql` runs the same statements in {ms(r.psql_total.median)} against "
        f"{ms(sql)} in-process: the tool adds "
        f"{(sql - r.psql_total.median) * 1000:+.1f} ms to the database's work.",
        "",
        f"`closient stats` on the small organization ({r.small.products:,} "
        f"products) takes {ms(small.median)} end to end.",
        "",
    ]


def _why(r: Results) -> list[str]:
    """How far each missed target is, and why, from this run's own figures."""
    big = r.end_to_end[r.big.products]
    small = r.end_to_end[r.small.products]
    imports = r.startup[_DATABASE_IMPORTS][0].median
    typer = r.startup[_TYPER][0].median
    command_layer = r.startup[_COMMAND_LAYER][0].median
    worst_early = max(r.startup[label][0].median for label in _EARLY)
    fixed = small.median - r.small_sql.median - imports
    child_rows = sum(seconds for seconds, _ in list(r.floor_each.values())[1:5])
    return [
        "## How far, and why",
        "",
        f"- **SQL against the floor ({r.tool_sql.median / r.floor.median:.2f}x).** "
        "The floor only counts rows: the organization's product ids and, for each "
        "child table, the rows joined to them "
        f"({ms(child_rows)} of the floor is those four joins). "
        "The report has to do those joins too, and then more: read every product "
        "row for its text fields, group the child rows per product (images "
        "counted, certified and actively offered products kept once each) and "
        "join the groups back to the products, which is three joins and three "
        f"aggregations over {r.big.products:,} keys. Those per-product steps are "
        "what the floor leaves out; the plans below show them. The "
        "organization's products are spread over the whole id range, so every "
        "child index or table is read whole either way (a merge join over the "
        "index, or a hash join over the table, which the planner prefers once "
        "work_mem is large enough not to spill); probing the child indexes once "
        "per product instead costs more (one index descent per product per "
        "child table).",
        f"- **Start-up of the early errors ({typer * 1000:.0f} ms for `import "
        f"typer`, worst early command {ms(worst_early)}).** Importing closient's "
        f"command layer takes {ms(command_layer)}: Typer itself plus the standard "
        "library modules the commands need before any database work (logging, "
        "dataclasses, the option and error modules) and shortuuid to read "
        "organization ids. None of them is SQLAlchemy or psycopg; the rest is the "
        "console script starting and Typer parsing the arguments. Typer is kept "
        "below 0.29, whose pydantic-based argument conversion added about 0.2 s "
        "to every command.",
        f"- **End to end over SQL and imports.** On the small organization, "
        f"whose SQL takes {ms(r.small_sql.median)}, the process costs "
        f"{ms(fixed)} beyond its SQL and its imports. That fixed part is the "
        "interpreter, closient's command layer "
        f"({ms(command_layer)} to import), the connection (SCRAM authentication and "
        "SQLAlchemy's first-connect queries) and the "
        "access check. On the big organization the end-to-end runs ranged from "
        f"{ms(min(run.seconds for run in big.runs))} to "
        f"{ms(max(run.seconds for run in big.runs))} (median {ms(big.median)}) "
        f"and the in-process SQL from {ms(min(r.tool_sql.samples))} to "
        f"{ms(max(r.tool_sql.samples))}: on this shared two-core machine the "
        "spread between runs is as large as the overhead being measured.",
        "",
    ]


def _sql_breakdown(r: Results) -> list[str]:
    lines = [
        "## Where the SQL time goes",
        "",
        "| statement | in-process | psql |",
        "|---|---:|---:|",
    ]
    for name, seconds in r.per_statement.items():
        lines.append(
            f"| `sql/{name}.sql` | {ms(seconds)} | {ms(r.psql_per_statement[name])} |"
        )
    lines += [
        "",
        "The floor's counts, one statement each; each is timed under the "
        "planner's own choice and with parallel workers, hash joins, sequential "
        "and bitmap scans turned off in turn, and its fastest median is kept "
        f"({ms(r.floor.median)} together):",
        "",
        "| rows | count | fastest median | with |",
        "|---|---:|---:|---|",
    ]
    for name, count in r.floor_counts.items():
        seconds, choice = r.floor_each[name]
        lines.append(f"| {name} | {count:,} | {ms(seconds)} | {choice} |")
    lines.append("")
    return lines


def _startup(r: Results) -> list[str]:
    typer = r.startup[_TYPER][0].median
    lines = [
        "## Start-up",
        "",
        "| command | median | vs `import typer` | imports SQLAlchemy/psycopg |",
        "|---|---:|---:|---|",
    ]
    for label, (series, heavy) in r.startup.items():
        statuses = ", ".join(str(s) for s in sorted(series.statuses))
        lines.append(
            f"| `{label}` (exit {statuses}) | {ms(series.median)} | "
            f"{series.median / typer:.2f}x | {', '.join(heavy) or 'no'} |"
        )
    lines += [
        "",
        "| `closient stats ORG --json` | median | peak RSS |",
        "|---|---:|---:|",
    ]
    for products, series in sorted(r.end_to_end.items()):
        lines.append(
            f"| {products:,} products | {ms(series.median)} | "
            f"{series.max_rss_kib / 1024:.1f} MiB |"
        )
    lines.append("")
    return lines


def _plans(r: Results) -> list[str]:
    lines = [
        "## Plans",
        "",
        "`EXPLAIN (ANALYZE, BUFFERS)` of closient's statements, run as closient "
        "runs them (jit off, REPEATABLE READ READ ONLY), after one warm-up run.",
        "",
        "| statement | execution | index-only scans | heap fetches | spill | lossy "
        "| JIT |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for name, plan in r.statement_plans.items():
        lines.append(
            f"| `{name}` | {plan.execution_ms:,.1f} ms | {plan.index_only_scans} | "
            f"{plan.heap_fetches} | {_yes(plan.spills)} | {_yes(plan.lossy)} | "
            f"{_yes(plan.jit)} |"
        )
    lines.append("")
    for name, plan in r.statement_plans.items():
        lines += [f"### `sql/{name}.sql`", "", "```", plan.text, "```", ""]
    return lines


def _indexes(r: Results) -> list[str]:
    lines = [
        "## What each index changes",
        "",
        "Each recommended index that the plans below use is dropped in a transaction "
        "that is rolled back, and the statements that used it are explained again. "
        "Execution times are single `EXPLAIN ANALYZE` runs.",
        "",
        "| index | used by | with it | without it | scans of the table without it |",
        "|---|---|---:|---:|---|",
    ]
    for effect in r.index_effects:
        lines.append(
            f"| `{effect.index}` | "
            f"{', '.join(f'`{name}`' for name in effect.statements)} | "
            f"{effect.with_index_ms:,.0f} ms | {effect.without_index_ms:,.0f} ms | "
            f"{'; '.join(effect.replaced_by) or '-'} |"
        )
    used = {effect.index for effect in r.index_effects}
    lines += [
        "",
        "Recommended but not used by these statements: "
        + (", ".join(f"`{name}`" for name in _unused(used)) or "none")
        + ".",
        "",
    ]
    return lines


def _unused(used: set[str]) -> list[str]:
    from closient_cli.doctor import recommended_indexes

    return [i.name for i in recommended_indexes("postgresql") if i.name not in used]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
