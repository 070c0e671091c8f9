"""Webhook load benchmark: `anju serve` in safe mode against a bare aiohttp app, driven by wrk.

Each server in turn is pinned to one core (taskset) and driven by wrk pinned to another core,
over loopback, for a bounded time, with the same kind of pre-built requests: safe-mode
messages, each individually encrypted and signed, with unique MsgIds and senders (so no reply
comes from the dedup cache or the rate limiter). The bare app answers every POST with a fixed
200-byte XML. Prints requests/s, p50, p99 and the server's CPU time per request of every run,
the medians and the ratio, and checks the goal (one worker: >= 30 % of the bare app's
throughput, p99 < 15 ms at 4 connections). After each webhook run the server is stopped and
the stored records counted: every answered message must be in the database.

Requests are built with tools/wechat_peer.py from the shared folder beside the repository
(wechatpy: an implementation nobody on the project wrote) when it is there, else with the
project's own MessageCrypto.

    .venv/bin/python bench/webhook.py [--runs 3] [--duration 10] [--connections 4]
        [--variants full,normal,inline,nobot]

Variants of the webhook: full (the default settings: SQLite synchronous=FULL, bot in 2
threads), normal (synchronous=NORMAL), inline (ANJU_ANSWER_THREADS=0), nobot (full, with a bot
that answers at once: what the webhook path costs on its own). CPU per request is the server
process's user+system time over the measured run divided by the requests answered; unlike
requests/s it is hardly moved by other load on the machine. wrk comes from Debian's packages
(installed with apt-get when missing).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from processes import cpu_seconds, free_port
from webhook_requests import AES_KEY, APPID, TOKEN, Build, request_builder, write_requests

BENCH = Path(__file__).resolve().parent
LOAD_SCRIPT = BENCH / "webhook_load.lua"
SERVERS = BENCH / "webhook_servers.py"
GOAL_RATIO = 0.30
GOAL_P99_MS = 15.0
STARTUP_SECONDS = 90.0
WARMUP_SECONDS = 3
VARIANTS = ("full", "normal", "inline", "nobot")
_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Result:
    """One wrk run against one server."""

    server: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int
    wrapped: int
    replies: int
    successes: int
    cpu_seconds: float
    senders: str = ""
    stored: int | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float:
        """Server CPU time per request, in microseconds."""
        return self.cpu_seconds / self.requests * 1e6 if self.requests else 0.0


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, timeout=300)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def two_cores() -> tuple[int, int]:
    """A core for the server and another for wrk."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        raise SystemExit("the benchmark needs two cores (server and load generator apart)")
    return cores[0], cores[1]


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"the server on port {port} was not ready within {STARTUP_SECONDS:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server we started, gracefully (so the record writer drains), then for sure."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True)
class Bench:
    """What every run shares."""

    wrk: str
    server_core: int
    load_core: int
    seconds: int
    connections: int
    messages: int
    build: Build
    folder: Path

    def wrk_run(self, port: int, requests: Path, seconds: int) -> dict[str, str]:
        command = [
            "taskset", "-c", str(self.load_core), self.wrk, "-t1", f"-c{self.connections}",
            f"-d{seconds}s", "--latency", "--timeout", "6s", "-s", str(LOAD_SCRIPT),
            f"http://127.0.0.1:{port}", "--", str(requests),
        ]  # fmt: skip
        finished = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        match = _BENCH_LINE.search(finished.stdout)
        if match is None:
            raise SystemExit(f"wrk printed no summary:\n{finished.stdout}\n{finished.stderr}")
        return dict(pair.split("=", 1) for pair in match.group(1).split())

    def drive(self, name: str, process: subprocess.Popen[bytes], port: int) -> Result:
        """Warm the server up, then measure it (requests built just before, so in the window)."""
        wait_ready(port, process)
        stem = name.replace("/", "-")
        warmup, measured = self.folder / f"{stem}-warmup.tsv", self.folder / f"{stem}.tsv"
        write_requests(warmup, 2_000, self.build)
        self.wrk_run(port, warmup, WARMUP_SECONDS)
        senders = write_requests(measured, self.messages, self.build)
        before = cpu_seconds(process.pid)
        fields = self.wrk_run(port, measured, self.seconds)
        used = cpu_seconds(process.pid) - before
        return Result(
            server=name,
            requests=int(fields["requests"]),
            seconds=float(fields["seconds"]),
            p50_ms=int(fields["p50_us"]) / 1000,
            p99_ms=int(fields["p99_us"]) / 1000,
            failures=int(fields["non2xx"]) + int(fields["socket_errors"]),
            wrapped=int(fields["wrapped"]),
            replies=int(fields["replies"]),
            successes=int(fields["successes"]),
            cpu_seconds=used,
            senders=senders,
        )

    def bare(self) -> Result:
        port = free_port()
        pinned = ["taskset", "-c", str(self.server_core), sys.executable]
        process = subprocess.Popen([*pinned, str(SERVERS), "bare", str(port)])
        try:
            return self.drive("bare", process, port)
        finally:
            stop(process)

    def webhook(self, variant: str) -> Result:
        port = free_port()
        database = self.folder / f"webhook-{variant}-{port}.sqlite3"
        env = {
            **os.environ,
            "ANJU_DATABASE_URL": f"sqlite:///{database}",
            "ANJU_HOST": "127.0.0.1",
            "ANJU_PORT": str(port),
            "ANJU_WECHAT_TOKEN": TOKEN,
            "ANJU_WECHAT_AES_KEY": AES_KEY,
            "ANJU_WECHAT_APPID": APPID,
            "ANJU_SESSION_SECRET": "bench-only-session-secret-0123456789",
            "ANJU_RECORDS_SYNCHRONOUS": "normal" if variant == "normal" else "full",
            "ANJU_ANSWER_THREADS": "0" if variant == "inline" else "2",
        }
        pinned = ["taskset", "-c", str(self.server_core)]
        if variant == "nobot":
            command = [*pinned, sys.executable, str(SERVERS), "nobot"]
        else:
            command = [*pinned, str(Path(sys.executable).with_name("anju")), "serve"]
        process = subprocess.Popen(command, env=env, cwd=self.folder)
        try:
            result = self.drive(f"webhook/{variant}", process, port)
        finally:
            stop(process)
        with sqlite3.connect(database) as connection:
            # The measured messages' own records (each message is distinct: one record each).
            stored = int(
                connection.execute(
                    "SELECT count(*) FROM interaction WHERE resident_key LIKE ?",
                    (result.senders + "%",),
                ).fetchone()[0]
            )
        return Result(**{**result.__dict__, "stored": stored})


def median_line(name: str, runs: Sequence[Result]) -> tuple[str, float, float]:
    rate = statistics.median(r.rate for r in runs)
    p99 = statistics.median(r.p99_ms for r in runs)
    line = (
        f"median {name}: {rate:.0f} req/s, p50 {statistics.median(r.p50_ms for r in runs):.2f} ms,"
        f" p99 {p99:.2f} ms, {statistics.median(r.cpu_us for r in runs):.0f} µs CPU/request"
    )
    return line, rate, p99


def report(results: Sequence[Result], variants: Sequence[str]) -> int:
    header = f"{'server':<16}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU µs':>8}{'failed':>8}"
    print(f"\n{header}{'answered':>10}{'stored':>8}")
    for r in results:
        stored = "-" if r.stored is None else str(r.stored)
        print(
            f"{r.server:<16}{r.rate:>8.0f}{r.p50_ms:>8.2f}{r.p99_ms:>8.2f}{r.cpu_us:>8.0f}"
            f"{r.failures:>8}{r.replies + r.successes:>10}{stored:>8}"
        )
    problems: list[str] = []
    for r in results:
        # The bare app ignores what it is sent; only the webhook must never see a message twice.
        if r.wrapped and r.server != "bare":
            problems.append(f"{r.server}: messages ran out and were reused (raise --messages)")
        answered = r.replies + r.successes
        if r.stored is not None and r.stored < answered:
            problems.append(f"{r.server}: {r.stored} records for {answered} answered requests")
        if r.failures:
            problems.append(f"{r.server}: {r.failures} requests failed")
    line, bare_rate, _ = median_line("bare", [r for r in results if r.server == "bare"])
    print("\n" + line)
    for variant in variants:
        line, rate, p99 = median_line(
            f"webhook/{variant}", [r for r in results if r.server == f"webhook/{variant}"]
        )
        ratio = rate / bare_rate if bare_rate else 0.0
        verdict = "met" if ratio >= GOAL_RATIO and p99 < GOAL_P99_MS else "missed"
        goal = f"goal >= {GOAL_RATIO}, p99 < {GOAL_P99_MS:.0f} ms"
        print(f"{line}; ratio {ratio:.3f} ({goal}: {verdict})")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="runs per server (medians reported)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--messages", type=int, default=60_000, help="distinct messages per run")
    parser.add_argument("--variants", default="full", help=f"any of {', '.join(VARIANTS)}")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    if not variants or not set(variants) <= set(VARIANTS):
        parser.error(f"--variants takes {', '.join(VARIANTS)}")
    wrk = ensure_wrk()
    server_core, load_core = two_cores()
    builder, build = request_builder()
    print(
        f"server on core {server_core}, wrk on core {load_core}; {args.connections} connections,"
        f" {args.duration} s x {args.runs} runs; requests built with {builder}"
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as folder:
        bench = Bench(
            wrk, server_core, load_core, args.duration, args.connections, args.messages, build,
            Path(folder),
        )  # fmt: skip
        for run in range(1, args.runs + 1):
            batch = [bench.bare(), *(bench.webhook(variant) for variant in variants)]
            results.extend(batch)
            print(f"run {run}: " + ", ".join(f"{r.server} {r.rate:.0f}/s" for r in batch))
    return report(results, variants)


if __name__ == "__main__":
    raise SystemExit(main())
