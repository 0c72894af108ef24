"""Run every benchmark with sizes that fit a small machine and write their figures to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aiom CELERY_BROKER_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python benchmarks/report.py [--output docs/benchmarks.md] [--only pipeline link_to_send]

``make bench`` runs this. Each benchmark prints its figures for people and then one line per
figure for this script, written by ``bench()`` below:

    BENCH {"figure": ..., "value": ..., "unit": ..., "baseline": ..., "against": ..., "ratio": ...}

The benchmarks run one after another with the arguments in RUNS (their output passes
through); their BENCH lines become a markdown table (figure, value, baseline, ratio) with the
date, the machine (processors, CPU model) and each command line. A benchmark that fails or
prints no figure is listed as failed, and this script exits 1 once the page is written.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PREFIX = "BENCH "
#: (script, arguments): sizes for a 2-core machine, a few minutes in all.
RUNS = [
    ("pipeline.py", ["--n", "200"]),
    ("approve_load.py", ["--seconds", "10"]),
    ("analyze_scale.py", ["--sizes", "10000", "100000"]),
    ("odoo_read.py", ["--size", "20000"]),
    ("link_to_send.py", ["--n", "30"]),
]
TIMEOUT_SECONDS = 15 * 60


def bench(figure: str, value, *, unit: str = "", baseline=None, against: str = "", ratio=None) -> None:
    """Print one figure for this report: `value` (a number, or words), what it is compared with
    and their ratio (value / baseline unless given)."""
    if ratio is None and isinstance(value, int | float) and isinstance(baseline, int | float) and baseline:
        ratio = value / baseline
    value, baseline, ratio = (round(x, 3) if isinstance(x, float) else x for x in (value, baseline, ratio))
    print(PREFIX + json.dumps({"figure": figure, "value": value, "unit": unit, "baseline": baseline,
                               "against": against, "ratio": ratio}, ensure_ascii=False), flush=True)


def parse(output_line: str) -> dict | None:
    """The figure a BENCH line carries, or None for any other line (or a malformed one)."""
    if not output_line.startswith(PREFIX):
        return None
    try:
        figure = json.loads(output_line[len(PREFIX):])
    except json.JSONDecodeError:
        return None
    return figure if isinstance(figure, dict) and "figure" in figure and "value" in figure else None


def run(script: str, arguments: list[str]) -> tuple[list[dict], int, float]:
    """Run one benchmark, passing its output through; returns (its figures, exit code, seconds).
    Past the time limit it gets Ctrl-C (it cleans up), then is killed."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-u", str(PROJECT_DIR / "benchmarks" / script), *arguments],
                               cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    interrupt = threading.Timer(TIMEOUT_SECONDS, process.send_signal, [signal.SIGINT])
    kill = threading.Timer(TIMEOUT_SECONDS + 60, process.kill)
    interrupt.start()
    kill.start()
    figures = []
    try:
        for output_line in process.stdout:
            sys.stdout.write(output_line)
            figure = parse(output_line.rstrip("\n"))
            if figure is not None:
                figures.append(figure)
        code = process.wait()
    finally:
        interrupt.cancel()
        kill.cancel()
    return figures, code, time.monotonic() - started


def cpu_model() -> str:
    try:
        for cpu_line in Path("/proc/cpuinfo").read_text().splitlines():
            if cpu_line.startswith("model name"):
                return cpu_line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def cells(figure: dict) -> list[str]:
    unit = f" {figure['unit']}" if figure.get("unit") else ""
    value = number(figure["value"]) + (unit if isinstance(figure["value"], int | float) else "")
    baseline = ""
    if figure.get("baseline") is not None:
        baseline = number(figure["baseline"]) + (unit if isinstance(figure["baseline"], int | float) else "")
    if figure.get("against"):
        baseline = f"{baseline} ({figure['against']})" if baseline else figure["against"]
    ratio = f"{figure['ratio']:.2f}" if isinstance(figure.get("ratio"), int | float) else ""
    return [figure["figure"], value, baseline, ratio]


def markdown(results: list[tuple[str, list[str], list[dict], int, float]], when: datetime) -> str:
    cores = os.cpu_count()
    lines = [
        "# Benchmark figures",
        "",
        f"Written by `make bench` (`benchmarks/report.py`) on {when:%Y-%m-%d %H:%M} on a machine with "
        f"{cores} processor{'s' if cores != 1 else ''} ({cpu_model()}), Python {platform.python_version()}.",
        "",
        "The machine was busy with other work while these ran, so absolute figures move from run to "
        "run. Each figure is measured side by side with its baseline, in the same run on the same "
        "machine: the ratio is the number to compare between runs. What each benchmark does is in the "
        "README (\"Benchmarks\") and in each script's `--help`.",
        "",
        "| benchmark | figure | value | baseline | ratio |",
        "|---|---|---|---|---|",
    ]
    for script, _, figures, code, _ in results:
        name = f"`{script}`"
        if code != 0 or not figures:
            lines.append(f"| {name} | failed (exit code {code}) | | | |")
        for figure in figures:
            lines.append("| " + " | ".join([name, *(cell.replace("|", "\\|") for cell in cells(figure))]) + " |")
    lines += ["", "## Runs", ""]
    for script, arguments, _, code, seconds in results:
        outcome = "" if code == 0 else f", exit code {code}"
        lines.append(f"- `benchmarks/{script} {' '.join(arguments)}`: {seconds:.0f} s{outcome}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=PROJECT_DIR / "docs" / "benchmarks.md",
                        help="the markdown page to write; default docs/benchmarks.md")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=[Path(script).stem for script, _ in RUNS],
                        help="run only these benchmarks (names without .py)")
    args = parser.parse_args()
    when = datetime.now().astimezone()
    results = []
    for script, arguments in RUNS:
        if args.only and Path(script).stem not in args.only:
            continue
        print(f"=== benchmarks/{script} {' '.join(arguments)}", flush=True)
        figures, code, seconds = run(script, arguments)
        results.append((script, arguments, figures, code, seconds))
    args.output.write_text(markdown(results, when))
    print(f"=== wrote {args.output}")
    if any(code != 0 or not figures for _, _, figures, code, _ in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
