"""How long the whole monthly run takes, against a plain python-calamine read of the same files.

    python bench/run.py [--n 1000] [--jobs N]

Makes ``--n`` filled workbooks for ``--n`` units (bench/intake.py's generator), then times, in one process
of this script: a plain single-process python-calamine read of the files (open each and read the four
sheets to Python lists), and the whole ``ccht-batch run`` as the clerk starts it (a new Python process:
start-up, intake, scoring, ranking, awards, every output workbook, summary.json, the store, the moves).
Prints both and their ratio, and the run's peak memory (its processes sampled together, and the kernel's
maximum for the largest one).

Goals: the whole run at most 5 times the plain read (issue #5; the floor measured on 2 cores is about 3:
reading and writing a thousand small workbooks); the pandas pipeline (issue #15) at most 15 % above the
ratio of the commit before it, measured in the same session; under 2 GB with ``--n 10000``. Numbers depend
on the machine; compare them on one machine only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake import PERIOD, PeakMemory, kernel_maxima, month_workdir, plain_read  # noqa: E402  (bench/intake.py)

from ccht_batch.intake import parallel as intake  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="số đơn vị và số tệp")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs của lệnh run (mặc định: số nhân CPU)")
    parser.add_argument("--keep", type=Path, default=None, help="giữ thư mục làm việc ở đây")
    args = parser.parse_args()
    with month_workdir(args.n, args.keep) as (workdir, _config):
        paths, _ = intake.discover(workdir / "input")
        plain_read(paths[: min(50, len(paths))])  # warm the OS cache
        start = time.perf_counter()
        plain_read(paths)
        plain = time.perf_counter() - start
        print(f"{args.n} tệp, {args.n} đơn vị.")
        print(f"Đọc thuần python-calamine (1 tiến trình): {plain:6.2f} s ({args.n / plain:.0f} tệp/s)")

        command = [sys.executable, "-m", "ccht_batch", "--workdir", str(workdir), "run", "--period", PERIOD]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        start = time.perf_counter()
        with PeakMemory(include_self=False) as memory:
            proc = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
        took = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            print(proc.stdout[-2000:], proc.stderr[-2000:])
            return 1
        feedback = len(list((workdir / "output" / PERIOD / "PhanHoi").glob("*.xlsx")))
        print(f"Cả lượt ccht-batch run (kể cả khởi động): {took:6.2f} s; {feedback} tệp phản hồi")
        print(f"Tỷ lệ run / đọc thuần = {took / plain:.2f} (mục tiêu ≤ 5)")
        print(f"Bộ nhớ đỉnh của lượt chạy: {memory.peak / 2**20:.0f} MB (các tiến trình cộng lại, mẫu mỗi 0,1 s); {kernel_maxima()}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
