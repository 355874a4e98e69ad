"""How fast intake reads a month's files, against a plain python-calamine read of the same files.

    python bench/intake.py [--n 1000] [--jobs 1 2] [--repeat 3] [--keep DIR]

Makes ``--n`` filled workbooks (one per unit of a generated ``units.yaml``) in a temporary working
folder, then times, in this order: a plain single-process python-calamine read (open each file and read
the same four sheets to Python lists), and intake alone (discover + read_files + mark_superseded) for
each ``--jobs``, each ``--repeat`` times keeping the best. Prints files per second, the ratio intake /
plain, and the peak resident memory of the intake (this process plus its workers, sampled, and the
kernel's maxima).

Goals (issue #4): ratio ≤ 2.0 with --jobs 1; faster than the plain read with --jobs 2; peak memory
under 2 GB with --n 10000. Numbers depend on the machine; compare them on one machine only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psutil
from python_calamine import CalamineWorkbook

from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.forms import layout as L
from ccht_batch.forms.filling import fill_template
from ccht_batch.forms.template import build_template
from ccht_batch.intake import parallel as intake

PERIOD = "2025-11"
SHEETS = (L.SHEET_META, L.SHEET_SCORES, L.SHEET_INDICATORS, L.SHEET_PERSONS)
CODE0, NAME0 = "U00000", "Đơn vị số 00000"


def write_units(workdir: Path, n: int) -> None:
    """A units.yaml with ``n`` units (the agency block of the shipped default is kept)."""
    path = workdir / "config" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\nunits:")]
    lines = [head, "", "units:"]
    for i in range(n):
        lines += [f"  - code: U{i:05d}", f'    name: "Đơn vị số {i:05d}"', f"    email: u{i:05d}@example.gov.vn", "    handles_dossiers: true"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def variants(config, folder: Path) -> list[bytes]:
    """A few different fillings of unit U00000's template, as bytes."""
    unit = config.unit(CODE0)
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.xlsx"
    build_template(config, unit, int(PERIOD[:4]), template)
    out = []
    for v in range(4):
        scores, evidence = {}, {}
        for i, c in enumerate(config.criteria.scored_rows):
            if c.is_choice:
                scores[c.id] = c.choices[v % len(c.choices)].text
            elif c.kind == "criterion":
                scores[c.id] = float(c.max) - (v % 3) * float(c.step)
            evidence[c.id] = f"Văn bản số {i + v}/QĐ ngày {10 + v}/01/2025"
        indicators = {ind.id: (f"{15 + v}/01/2025" if ind.type == "date" else 10 + v) for ind in config.criteria.indicators}
        # each unit's own persons (the unit's code is swapped in below): the same person in every unit would be
        # warned in every unit, naming all the others — a month no agency has
        persons = [
            {L.P_NAME: f"Nguyễn Văn {k}{v} {CODE0}", L.P_BIRTH: 1970 + k, L.P_GENDER: "Nam", L.P_POSITION: "Chuyên viên", L.P_RATING: "Hoàn thành tốt nhiệm vụ"}
            for k in range(2 + v)
        ]
        path = fill_template(template, folder / f"v{v}.xlsx", scores=scores, evidence=evidence, indicators=indicators, persons=persons)
        out.append(path.read_bytes())
    return out


def make_files(config, folder: Path, n: int) -> None:
    """``n`` files, one per unit: a variant with the unit's code and name swapped in (same lengths)."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = variants(config, folder.parent / "variants")
    parts = [[(info, zipfile.ZipFile(io.BytesIO(b)).read(info)) for info in zipfile.ZipFile(io.BytesIO(b)).infolist()] for b in bases]
    code0, name0 = CODE0.encode(), NAME0.encode("utf-8")
    for i in range(n):
        code, name = f"U{i:05d}".encode(), f"Đơn vị số {i:05d}".encode("utf-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in parts[i % len(parts)]:
                z.writestr(info.filename, data.replace(code0, code).replace(name0, name))
        path = folder / f"tu_cham_{i:05d}.xlsx"
        path.write_bytes(buf.getvalue())
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))


@contextmanager
def month_workdir(n: int, keep: Path | None) -> Iterator[tuple[Path, Config]]:
    """A working folder with ``n`` units and one filled file each in ``input/``: under ``keep`` (emptied
    first, left afterwards), or in a temporary folder removed on exit."""
    with contextlib.ExitStack() as stack:
        if keep:
            shutil.rmtree(keep, ignore_errors=True)
            root = keep
        else:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        workdir = root / "wd"
        init_workdir(workdir)
        write_units(workdir, max(n, 1))
        config = load_config(workdir)
        start = time.perf_counter()
        make_files(config, workdir / "input", n)
        print(f"Đã tạo {n} tệp trong {time.perf_counter() - start:.1f} s ({len(config.units)} đơn vị); CPU: {os.cpu_count()}")
        yield workdir, config


def plain_read(paths: list[Path]) -> int:
    cells = 0
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        for name in SHEETS:
            cells += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return cells


class PeakMemory:
    """Samples the memory of this process (unless ``include_self`` is False) and its children; keeps the peak
    of the sum.

    Forked workers share the parent's pages, which each one's resident size counts again; the
    proportional set size (Linux) splits shared pages between them, so the sum is the real total.
    Elsewhere the resident sizes are summed (an overestimate).
    """

    def __init__(self, every: float = 0.1, include_self: bool = True):
        self.every = every
        self.include_self = include_self
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            try:
                total = sum(_size(p) for p in [*([me] if self.include_self else []), *me.children(recursive=True)])
            except psutil.Error:
                pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _size(process: psutil.Process) -> int:
    try:
        return process.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return process.memory_info().rss


def kernel_maxima() -> str:
    try:
        import resource
    except ImportError:  # Windows
        return "(không có trên Windows)"
    scale = 1 if sys.platform == "darwin" else 1024
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return f"RSS tiến trình chính {me / 2**20:.0f} MB, RSS tiến trình con lớn nhất {kids / 2**20:.0f} MB (tính cả trang dùng chung)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="số tệp (và số đơn vị)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="số tiến trình đọc cần đo")
    parser.add_argument("--repeat", type=int, default=3, help="số lần đo mỗi cách đọc; lấy lần nhanh nhất (máy dùng chung dao động nhiều)")
    parser.add_argument("--keep", type=Path, default=None, help="giữ thư mục làm việc ở đây thay vì thư mục tạm")
    args = parser.parse_args()
    with month_workdir(args.n, args.keep) as (workdir, config):
        paths, _ = intake.discover(workdir / "input")
        plain_read(paths[: min(50, len(paths))])  # warm the OS cache and the imports
        workers = max(args.jobs)

        # Rounds interleave every measurement, so a neighbour's load drifting during the run hits them
        # alike; the best time of each is kept, and the ratio of each round too.
        plain = {"1": [], f"{workers}p": []}
        plain_cpu: list[float] = []
        cpu: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        took: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        peak: dict[int, int] = {jobs: 0 for jobs in args.jobs}
        accepted: dict[int, int] = {}
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(plain_read, [paths[:5]] * workers))  # start the reference workers first
            for _ in range(args.repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                plain_read(paths)
                plain["1"].append(time.perf_counter() - start)
                plain_cpu.append(time.process_time() - start_cpu)
                if workers > 1:
                    start = time.perf_counter()
                    list(pool.map(plain_read, [paths[i::workers] for i in range(workers)]))
                    plain[f"{workers}p"].append(time.perf_counter() - start)
                for jobs in args.jobs:
                    with PeakMemory() as memory:
                        start, start_cpu = time.perf_counter(), time.process_time()
                        found, _ = intake.discover(workdir / "input")
                        records = intake.read_files(found, config, PERIOD, jobs=jobs)
                        intake.mark_superseded(records)
                        took[jobs].append(time.perf_counter() - start)
                        cpu[jobs].append(time.process_time() - start_cpu)
                    peak[jobs] = max(peak[jobs], memory.peak)
                    accepted[jobs] = sum(1 for r in records if r.status == "accepted")
                    del records

        best_plain = min(plain["1"])
        print(f"Đọc thuần python-calamine (1 tiến trình): {args.n / best_plain:8.1f} tệp/s (tốt nhất của {args.repeat} vòng)")
        if workers > 1:
            best = min(plain[f"{workers}p"])
            print(f"  tham chiếu: đọc thuần với {workers} tiến trình {args.n / best:8.1f} tệp/s (x{best_plain / best:.2f}: máy đang cho bao nhiêu nhân thật)")
        status = 0
        for jobs in args.jobs:
            ratios = sorted(t / p for t, p in zip(took[jobs], plain["1"]))
            print(
                f"Tiếp nhận --jobs {jobs}: {args.n / min(took[jobs]):8.1f} tệp/s; tỷ lệ tiếp nhận / đọc thuần: "
                f"{min(took[jobs]) / best_plain:.2f} (tốt nhất/tốt nhất), {ratios[len(ratios) // 2]:.2f} (trung vị theo vòng); "
                f"tiếp nhận {accepted[jobs]}/{args.n}; bộ nhớ đỉnh (chính + con, PSS) {peak[jobs] / 2**20:.0f} MB"
            )
            if jobs == 1:
                # CPU time of this process: what a busy shared machine disturbs least
                print(f"  theo thời gian CPU: tiếp nhận / đọc thuần = {min(cpu[1]) / min(plain_cpu):.2f}")
            if accepted[jobs] != args.n:
                print("  CẢNH BÁO: có tệp không được tiếp nhận.")
                status = 1
        print("Bộ nhớ đỉnh theo hệ điều hành:", kernel_maxima())
        return status


if __name__ == "__main__":
    raise SystemExit(main())
