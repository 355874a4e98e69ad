"""Writing the report: gathered once, written as a workbook and a Word document, each whole or not at all."""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path
from ccht_batch.reports.data import ReportData, gather_report, report_paths
from ccht_batch.reports.docx import write_report_docx
from ccht_batch.reports.xlsx import write_report_workbook
from ccht_batch.store.db import Store


def write_report(config: Config, store: Store, *, year: int | None = None, milestone: str | None = None) -> tuple[ReportData, Path, Path]:
    """Gather once, write both files (each under a temporary name first); return the data and paths."""
    data = gather_report(config, store, year=year, milestone=milestone)
    xlsx, docx = report_paths(config, data.slug)
    with atomic_path(xlsx) as tmp:
        write_report_workbook(config, data, tmp)
    with atomic_path(docx) as tmp:
        write_report_docx(config, data, tmp)
    return data, xlsx, docx
