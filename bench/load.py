"""Load and soak of `anju serve --workers 2` on PostgreSQL, over loopback, for a bounded time.

100 residents at a time (--residents) talk to the 公众号 webhook: each resident is a
conversation of signed plaintext-mode messages, a question and its follow-ups (see
CONVERSATIONS), sent one after another as fast as the replies come; then the next resident
takes the slot. Every message has its own MsgId. Prints requests/s, latency p50/p99/max, the
errors (anything but a 200 with a text reply; 0 expected), replies that came late ("success",
the answer following as a customer-service message), how many follow-ups whose reply shows the
first turn's context (CONVERSATIONS) were answered with it, the records stored against the
messages answered, and each worker's CPU time and RSS.

    .venv/bin/python bench/load.py                        # 100 residents, 60 s, 2 workers
    .venv/bin/python bench/load.py --soak                 # 10 minutes, RSS every 30 s
    .venv/bin/python bench/load.py --workers 1 --state-store memory     # the cost of the
    .venv/bin/python bench/load.py --workers 1 --state-store database   # database store

The database is a fresh schema on the test server (127.0.0.1:5432, database test) dropped at
the end, unless --database-url is given.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from load_service import TOKEN, Service, bench_database, start
from processes import cpu_seconds, rss_kib

ACCOUNT = "gh_bench_load"
TIMEOUT_SECONDS = 5.0  # WeChat gives up on a reply after 5 s
# (message, words its reply holds only when the context of the turns before was used: the
# project or the name carried over; "" where the reply does not show it, so it is not checked)
CONVERSATIONS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("锦绣家园还有房吗", ""), ("那租金多少", "锦绣家园")),
    (("我叫韩志勇，审核过了没", ""), ("后四位2657", "韩志勇")),
    (("公租房申请条件是什么", ""), ("需要什么材料", "")),
    (("租赁补贴怎么申请", ""), ("要多长时间", "")),
    (("什么时候摇号", ""),),
    (("住建局电话多少", ""),),
    (("家里3口人月收入5000能申请吗", ""), ("那经济适用房呢", "")),
    (("和顺苑有几套房", ""), ("一室一厅多大", "和顺苑"), ("租金多少", "和顺苑")),
    (("小区电梯坏了三天没人修", ""),),
    (("公组房怎么申请", ""), ("外地人可以吗", "")),
)


@dataclass
class Tally:
    """What the residents saw."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    late: int = 0
    answered: int = 0
    follow_ups: int = 0
    follow_ups_with_context: int = 0


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def push(resident: str, content: str, msg_id: int) -> tuple[str, bytes]:
    """A signed plaintext-mode text message: (path with query, body)."""
    now = str(int(time.time()))
    nonce = str(msg_id)
    query = {"signature": sign(TOKEN, now, nonce), "timestamp": now, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{resident}]]>"
        f"</FromUserName><CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
    return "/wechat?" + urlencode(query | {"openid": resident}), body.encode()


async def converse(
    session: aiohttp.ClientSession,
    port: int,
    resident: str,
    conversation: tuple[tuple[str, str], ...],
    ids: itertools.count[int],
    tally: Tally,
) -> None:
    """One resident's messages, each sent when the reply to the last has come."""
    for turn, (message, expected) in enumerate(conversation):
        target, body = push(resident, message, next(ids))
        began = time.perf_counter()
        try:
            async with session.post(
                f"http://127.0.0.1:{port}{target}", data=body, headers={"Content-Type": "text/xml"}
            ) as response:
                reply = (await response.read()).decode("utf-8", "replace")
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as error:
            tally.errors[type(error).__name__] += 1
            return
        tally.latencies.append(time.perf_counter() - began)
        if status != 200:
            tally.errors[f"HTTP {status}"] += 1
        elif reply == "success":
            tally.late += 1
        elif "<Content>" not in reply and "<Articles>" not in reply:
            tally.errors["no reply"] += 1
        else:
            tally.answered += 1
            if turn and expected:
                tally.follow_ups += 1
                tally.follow_ups_with_context += expected in reply


async def drive(port: int, residents: int, seconds: float, prefix: str, tally: Tally) -> float:
    """residents slots, each running conversations until time is up; the seconds it took."""
    ids = itertools.count(9_000_000_000)
    numbers = itertools.count()
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=residents)

    async def slot(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline:
            number = next(numbers)
            conversation = CONVERSATIONS[number % len(CONVERSATIONS)]
            await converse(session, port, f"{prefix}{number:07d}", conversation, ids, tally)

    began = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(slot(session) for _ in range(residents)))
    return time.monotonic() - began


async def sample_rss(service: Service, every: float, series: dict[int, list[int]]) -> None:
    """Every `every` seconds, append each worker's RSS (KiB) to its series (until cancelled)."""
    while True:
        for pid in service.workers():
            series.setdefault(pid, []).append(rss_kib(pid))
        await asyncio.sleep(every)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(tally: Tally, took: float, stored: int, service: Service, cpu: dict[int, float]) -> int:
    """Print the figures; the exit status (1 when there were errors)."""
    done = len(tally.latencies)
    ms = [s * 1000 for s in tally.latencies]
    print(f"requests      {done} in {took:.1f} s = {done / took:.0f}/s")
    print(
        f"latency ms    p50 {percentile(ms, 0.5):.1f}  p99 {percentile(ms, 0.99):.1f}  "
        f"max {max(ms, default=0):.1f}  mean {statistics.fmean(ms) if ms else 0:.1f}"
    )
    print(f"errors        {sum(tally.errors.values())} {dict(tally.errors)}")
    print(f"late replies  {tally.late} (answered later as customer-service messages)")
    print(
        f"follow-ups    {tally.follow_ups_with_context} of {tally.follow_ups} "
        "answered with the first turn's context"
    )
    print(f"records       {stored} stored for {tally.answered + tally.late} messages answered")
    for pid in service.workers():
        print(
            f"worker {pid}  cpu {cpu_seconds(pid) - cpu.get(pid, 0.0):.1f} s  "
            f"rss {rss_kib(pid) / 1024:.0f} MB"
        )
    problems = sum(tally.errors.values()) + abs(stored - tally.answered - tally.late)
    return 1 if problems else 0


def print_rss(series: dict[int, list[int]], every: float) -> None:
    """Each worker's RSS samples and its growth from the first to the last."""
    for pid, samples in series.items():
        mb = [s / 1024 for s in samples]
        print(f"worker {pid} RSS MB every {every:.0f} s: " + " ".join(f"{m:.0f}" for m in mb))
        if len(mb) > 1:
            print(f"  growth {mb[-1] - mb[0]:+.1f} MB (first to last), max {max(mb):.0f} MB")


async def run(args: argparse.Namespace) -> int:
    seconds = 600.0 if args.soak and args.duration is None else float(args.duration or 60)
    with bench_database(args.database_url) as url, tempfile.TemporaryDirectory() as folder:
        service = start(url, args.workers, args.state_store, Path(folder))
        try:
            workers = service.workers()
            print(
                f"{args.residents} residents for {seconds:.0f} s against {len(workers)} "
                f"worker(s), state store {args.state_store}"
            )
            cpu = {pid: cpu_seconds(pid) for pid in workers}
            series: dict[int, list[int]] = {}
            sampler = asyncio.create_task(sample_rss(service, args.rss_every, series))
            prefix = f"oLoad{int(time.time())}_"
            tally = Tally()
            took = await drive(service.port, args.residents, seconds, prefix, tally)
            sampler.cancel()
            for pid in service.workers():
                series.setdefault(pid, []).append(rss_kib(pid))
            status = report(tally, took, service.count_records(prefix), service, cpu)
            if args.soak:
                print_rss(series, args.rss_every)
        finally:
            code = service.stop()
        if code != 0:
            print(f"anju serve exited with {code}")
            return 1
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--residents", type=int, default=100, help="residents at a time")
    parser.add_argument("--duration", type=float, help="seconds (60; 600 with --soak)")
    parser.add_argument("--soak", action="store_true", help="10 minutes, RSS every 30 s")
    parser.add_argument("--rss-every", type=float, default=30.0, help="RSS sampling (seconds)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--state-store", default="auto", choices=["auto", "memory", "database"])
    parser.add_argument("--database-url", help="default: a fresh schema on the test server")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
