"""Import-and-index benchmark: import time, index build time, peak memory and query latency.

Generates synthetic published folders of 1k, 10k and 100k table rows (listings of item 17,
review and allocation results of items 14 and 19 with names and unmasked identity numbers, and
a few notices), imports each into a SQLite file, builds the SearchIndex from that database and
asks a few hundred varied questions. Each phase runs in a fresh process so that peak memory
(VmHWM) does not carry over from one size or phase to the next.

    .venv/bin/python bench/import_index.py [--sizes 1000,10000,100000] [--questions 300]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthetic_material import generate_folder

if TYPE_CHECKING:
    from knowledge.index import SearchIndex

# The targets on a 2-core machine, at 100k rows.
TARGET_INDEX_SECONDS = 10.0
TARGET_QUERY_P99_MS = 5.0
TARGET_RSS_MB = 400.0
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_QUESTIONS = 300
BENCH_TODAY = date(2026, 12, 1)

GENERAL_QUESTIONS = (
    "公租房申请条件是什么",
    "申请公租房需要什么材料",
    "公组房怎么申请",
    "什么时候要号",
    "摇号结果在哪里看",
    "租赁补贴怎么申请",
    "租金标准是多少",
    "两居室还有吗",
    "一室一厅还有房子吗",
    "经济适用住房多少钱一平",
    "审核要多长时间",
    "年审需要带什么",
    "住建局电话多少",
    "外地人能申请公租房吗",
    "最近有什么公告",
    "gzf在哪里申请",
    "廉租方还有吗",
    "补帖什么时候发",
    "今天天气怎么样",
    "你好",
)


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    # Linux reports ru_maxrss in KB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which share of values lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed_ms(run: Callable[[str], object], questions: Sequence[str]) -> list[float]:
    """Milliseconds of run(question) for each question."""
    latencies = []
    for question in questions:
        started = time.perf_counter()
        run(question)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def phase_import(folder: Path, database: Path) -> dict[str, Any]:
    """Import folder into a fresh SQLite file; the time and this process's peak memory."""
    from knowledge.catalog import load_catalog
    from knowledge.database import open_engine
    from knowledge.element_synonyms import load_synonyms
    from knowledge.importer import import_folder

    catalog, synonyms = load_catalog(), load_synonyms()
    engine = open_engine(f"sqlite:///{database}")
    started = time.perf_counter()
    report = import_folder(engine, folder, catalog, synonyms)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "import_s": seconds,
        "files": len(report.files),
        "rows": sum(f.rows for f in report.files),
        "errors": len(report.errors),
        "ids_masked": report.identity_numbers_masked,
        "import_rss_mb": peak_rss_mb(),
    }


def build_questions(index: SearchIndex, count: int, seed: int) -> list[str]:
    """Varied questions over the material: general, per project, per person, with slips."""
    from knowledge import elements as el

    generator = random.Random(seed)
    projects = list(index.projects.names) or ["幸福里"]
    names = sorted(index.person_names())
    templates = (
        "{p}还有房子吗",
        "{p}两居室租金多少",
        "{p}在哪里",
        "{p}一室一厅多大",
        "{p}什么时候分配",
        "{p}的房子还有几套",
    )
    questions: list[str] = []
    while len(questions) < count:
        roll = generator.random()
        if roll < 0.35:
            questions.append(generator.choice(GENERAL_QUESTIONS))
        elif roll < 0.75 or not names:
            template = generator.choice(templates)
            questions.append(template.format(p=generator.choice(projects)))
        else:
            name = generator.choice(names)
            table, row = index.people_named(name)[0]
            identity = table.row_values(row).get(el.IDENTITY_NUMBER, "")
            if identity and generator.random() < 0.5:
                questions.append(f"我叫{name}，身份证后四位{identity[-4:]}，审核通过了吗")
            else:
                questions.append(f"帮我查查{name}的审核结果")
    return questions


def phase_index(database: Path, question_count: int) -> dict[str, Any]:
    """Load the material, build the index, answer questions; times and peak memory."""
    from sqlmodel import Session

    from bot.answerer import Answerer
    from bot.conversation import Conversations
    from knowledge.catalog import load_catalog
    from knowledge.database import open_engine, read_revision
    from knowledge.index import SearchIndex
    from knowledge.material import load_material
    from knowledge.tokenizer import DomainTokenizer

    started = time.perf_counter()
    tokenizer = DomainTokenizer()
    tokenizer_seconds = time.perf_counter() - started
    catalog = load_catalog()
    engine = open_engine(f"sqlite:///{database}")
    started = time.perf_counter()
    with Session(engine) as session:
        material = load_material(session, read_revision(engine))
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    index = SearchIndex.build(material, tokenizer)
    build_seconds = time.perf_counter() - started
    after_build_rss = peak_rss_mb()
    questions = build_questions(index, question_count, seed=7)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: BENCH_TODAY)
    # One warm-up pass: the first questions fill per-snapshot caches (limits, subsidy rule).
    for question in questions[:20]:
        answerer.answer(question)
    # Fifty residents asking in turn, so follow-up context is part of the measured path.
    residents = itertools.cycle([f"bench-{n}" for n in range(50)])
    kinds: list[str] = []
    answer_ms = timed_ms(
        lambda q: kinds.append(answerer.answer(q, next(residents)).kind.value), questions
    )
    by_kind: dict[str, list[float]] = {}
    for kind, latency in zip(kinds, answer_ms, strict=True):
        by_kind.setdefault(kind, []).append(latency)
    # Passages and answers are one index, table rows another: a question may need both.
    search_ms = timed_ms(
        lambda q: (index.search(q), index.search(q, rows=True)),
        [index.spelling.correct(q).text for q in questions],
    )
    return {
        "tokenizer_s": tokenizer_seconds,
        "load_s": load_seconds,
        "build_s": build_seconds,
        "entries": len(index.entries),
        "people": sum(1 for _ in index.person_names()),
        "index_rss_after_build_mb": after_build_rss,
        "index_rss_mb": peak_rss_mb(),
        "answer_p50_ms": statistics.median(answer_ms),
        "answer_p99_ms": percentile(answer_ms, 0.99),
        "answer_max_ms": max(answer_ms),
        "answer_p99_ms_by_kind": {k: percentile(v, 0.99) for k, v in sorted(by_kind.items())},
        "search_p50_ms": statistics.median(search_ms),
        "search_p99_ms": percentile(search_ms, 0.99),
        "questions": len(questions),
    }


def run_child(arguments: list[str]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and read its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", *arguments]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"phase {arguments[0]} failed:\n{finished.stderr}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def measure(size: int, question_count: int, workdir: Path) -> dict[str, Any]:
    """Generate a folder of size rows, then import it and index it, each in its own process."""
    folder = workdir / f"published-{size}"
    database = workdir / f"bench-{size}.sqlite3"
    # A kept folder from an earlier run is generated again: every run starts empty.
    shutil.rmtree(folder, ignore_errors=True)
    for stale in workdir.glob(f"{database.name}*"):
        stale.unlink()
    started = time.perf_counter()
    generate_folder(folder, size, seed=size)
    generated = time.perf_counter() - started
    result: dict[str, Any] = {"size": size, "generate_s": generated}
    result.update(run_child(["import", str(folder), str(database)]))
    result.update(run_child(["index", str(database), str(question_count)]))
    return result


COLUMNS = (
    ("size", "rows", "{:>7,}"),
    ("files", "files", "{:>5}"),
    ("import_s", "import s", "{:>8.2f}"),
    ("import_rss_mb", "import MB", "{:>9.0f}"),
    ("load_s", "load s", "{:>6.2f}"),
    ("build_s", "index s", "{:>7.2f}"),
    ("entries", "entries", "{:>7,}"),
    ("index_rss_mb", "serve MB", "{:>8.0f}"),
    ("answer_p50_ms", "ask p50", "{:>7.2f}"),
    ("answer_p99_ms", "ask p99", "{:>7.2f}"),
    ("search_p50_ms", "srch p50", "{:>8.2f}"),
    ("search_p99_ms", "srch p99", "{:>8.2f}"),
)


def render_table(results: Sequence[dict[str, Any]]) -> str:
    """The results as a fixed-width table, one line per size."""
    header = "  ".join(f"{title:>{len(fmt.format(0))}}" for _, title, fmt in COLUMNS)
    lines = [header, "-" * len(header)]
    for result in results:
        lines.append("  ".join(fmt.format(result[key]) for key, _, fmt in COLUMNS))
    return "\n".join(lines)


def verdicts(result: dict[str, Any]) -> list[str]:
    """The targets checked against the largest size's figures."""
    index_seconds = result["load_s"] + result["build_s"]
    rss = max(result["index_rss_mb"], result["import_rss_mb"])
    checks = (
        ("index from database", index_seconds, TARGET_INDEX_SECONDS, "s"),
        ("answer p99", result["answer_p99_ms"], TARGET_QUERY_P99_MS, "ms"),
        ("search p99", result["search_p99_ms"], TARGET_QUERY_P99_MS, "ms"),
        ("peak RSS", rss, TARGET_RSS_MB, "MB"),
    )
    return [
        f"{'ok  ' if value < target else 'MISS'} {name}: {value:.2f} {unit} (target < {target:g})"
        for name, value, target, unit in checks
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size and print the table (or run one phase with --phase)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, *rest = args.phase
        if name == "import":
            print(json.dumps(phase_import(Path(rest[0]), Path(rest[1]))))
        else:
            print(json.dumps(phase_index(Path(rest[0]), int(rest[1]))))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as workdir:
        for size in sizes:
            print(f"measuring {size:,} rows…", file=sys.stderr, flush=True)
            results.append(measure(size, args.questions, args.keep or Path(workdir)))
    print(render_table(results))
    print()
    largest = max(results, key=lambda r: int(r["size"]))
    print(f"targets at {largest['size']:,} rows:")
    for line in verdicts(largest):
        print("  " + line)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
