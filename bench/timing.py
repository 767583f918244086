"""Medians of repeated runs, in-process and as child processes."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Timed:
    """Seconds of each warm run (the first, cold run is discarded)."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def repeat(action: Callable[[], object], runs: int, *, warmup: int = 1) -> Timed:
    """Run ``action`` warmup + runs times; the warm runs' durations."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return Timed(tuple(samples))


@dataclass(frozen=True)
class ProcessRun:
    """One child process: wall time, peak memory, exit status and output."""

    seconds: float
    max_rss_kib: int
    status: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ProcessSeries:
    """Several runs of one command line."""

    runs: tuple[ProcessRun, ...]

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def max_rss_kib(self) -> int:
        return int(statistics.median(run.max_rss_kib for run in self.runs))

    @property
    def statuses(self) -> set[int]:
        return {run.status for run in self.runs}


def repeat_process(
    argv: Sequence[str], runs: int, env: Mapping[str, str] | None = None
) -> ProcessSeries:
    """One discarded warm-up run, then ``runs`` measured runs."""
    run_measured(argv, env)
    return ProcessSeries(tuple(run_measured(argv, env) for _ in range(runs)))


def run_measured(
    argv: Sequence[str], env: Mapping[str, str] | None = None
) -> ProcessRun:
    """Run a command to the end; wall time, and its peak memory.

    The peak comes from /usr/bin/time when it is installed: a child spawned straight
    from this (large) process would report this process's resident size as its own.
    """
    if Path(TIME).is_file():
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
            wrapped = [TIME, "-f", "%M", "-o", report.name, *argv]
            run = _spawn(wrapped, env)
            peak = int(report.read().strip().splitlines()[-1] or 0)
        return ProcessRun(run.seconds, peak, run.status, run.stdout, run.stderr)
    return _spawn(argv, env)


def _spawn(argv: Sequence[str], env: Mapping[str, str] | None) -> ProcessRun:
    read_out, write_out = os.pipe()
    read_err, write_err = os.pipe()
    started = time.perf_counter()
    pid = os.posix_spawnp(
        argv[0],
        list(argv),
        dict(env) if env is not None else dict(os.environ),
        file_actions=[
            (os.POSIX_SPAWN_DUP2, write_out, 1),
            (os.POSIX_SPAWN_DUP2, write_err, 2),
            (os.POSIX_SPAWN_CLOSE, read_out),
            (os.POSIX_SPAWN_CLOSE, read_err),
        ],
    )
    os.close(write_out)
    os.close(write_err)
    stdout = _drain(read_out, read_err)
    _, wait_status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    return ProcessRun(
        seconds,
        int(usage.ru_maxrss),
        os.waitstatus_to_exitcode(wait_status),
        stdout[0],
        stdout[1],
    )


def _drain(out_fd: int, err_fd: int) -> tuple[str, str]:
    import selectors

    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        open_fds = set(chunks)
        while open_fds:
            for key, _ in selector.select():
                fd = int(key.fd)
                data = os.read(fd, 65536)
                if data:
                    chunks[fd].append(data)
                else:
                    selector.unregister(fd)
                    os.close(fd)
                    open_fds.discard(fd)
    return (
        b"".join(chunks[out_fd]).decode("utf-8", "replace"),
        b"".join(chunks[err_fd]).decode("utf-8", "replace"),
    )
