"""How long writing a run's outputs takes, with and without the process pool for feedback workbooks.

    python bench/bench_outputs.py [--units 60] [--repeat 3]

Builds the tests' sample period plus ``--units`` generated units (10 persons each, every criterion
scored), writes the outputs with jobs=1 and jobs=2, checks the bytes are identical, and prints the best
time of each. Numbers depend on the machine; compare them on one machine only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.sample import build_outcome, load_sample_config  # noqa: E402

from ccht_batch.outputs.write import write_outputs  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = load_sample_config(folder)
        outcome = build_outcome(config, extra_units=args.units)
        feedback = sum(1 for u in outcome.units if u.sent_this_period)
        print(f"{len(outcome.units)} đơn vị, {feedback} tệp phản hồi")
        results: dict[int, tuple[float, dict[str, bytes]]] = {}
        for jobs in (1, 2):
            best = float("inf")
            for i in range(args.repeat):
                out = folder / f"out-{jobs}-{i}"
                start = time.perf_counter()
                paths = write_outputs(config, outcome, out, jobs=jobs)
                best = min(best, time.perf_counter() - start)
            results[jobs] = (best, {str(p.relative_to(out)): p.read_bytes() for p in paths})
            size = sum(len(b) for b in results[jobs][1].values())
            print(f"jobs={jobs}: {best:.3f} s (tốt nhất của {args.repeat}), {size / 1024:.0f} KB")
        same = results[1][1] == results[2][1]
        print("giống hệt nhau theo byte:", "có" if same else "KHÔNG")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
