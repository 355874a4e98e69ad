"""Builders for the award engine's tests: units, persons, history years and subjects made by hand, and the
shipped configuration's award ids and names."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import yaml

from ccht_batch.awards.checks import PersonSubject, Scope, UnitSubject
from ccht_batch.config.load import load_config
from ccht_batch.core.records import (
    DECIDED,
    SELF_DECLARED,
    TASK,
    InitiativeRecord,
    PersonEntry,
    PersonYear,
    Submission,
    UnitOutcome,
    UnitScore,
    person_key,
)

REPO = Path(__file__).resolve().parent.parent.parent
TTCP, UBND, GK = "bang-khen-ttcp", "bang-khen-ubnd", "giay-khen-giam-doc"
UBND_NAME = "Bằng khen của Chủ tịch UBND tỉnh"
GK_NAME = "Giấy khen của Giám đốc Sở"
D = Decimal


def edited_config(tmp_path: Path, edit) -> object:
    """A copy of the shipped config with ``edit(criteria_dict)`` applied to criteria.yaml."""
    cdir = tmp_path / "config"
    shutil.copytree(REPO / "config", cdir)
    data = yaml.safe_load((cdir / "criteria.yaml").read_text(encoding="utf-8"))
    edit(data)
    (cdir / "criteria.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_config(tmp_path)


# ---------------------------------------------------------------------------------------------------
# Builders


def person(name, birth=1980, rating="HTXSNV", initiative="", decision="", level=None, proposal=None, row=8, valid=True, tasks=""):
    return PersonEntry(
        row=row, name=name, birth_year=birth, gender="Nam", position="Chuyên viên", rating=rating,
        initiative=initiative, decision=decision, level=level, proposal=proposal, valid=valid, tasks=tasks,
    )


def recognised(name, proposal=None, **kw):
    return person(name, initiative="Số hóa hồ sơ", decision="15/QĐ-SKHCN", level="co-so", proposal=proposal, **kw)


def unit(code, result=None, rank=None, band=None, persons=(), status="submitted", year=2025, field_scores=None, criteria=()):
    score = None
    if result is not None:
        result = D(str(result))
        if band is None:
            band = "Xuất sắc" if result >= 90 else "Tốt" if result >= 80 else "Khá" if result >= 65 else "Trung bình"
        score = UnitScore(
            unit_code=code, criteria=list(criteria), field_scores=field_scores or {}, criteria_sum=result,
            applicable_max=D(100), bonus=D(0), bonus_counted=D(0), penalty=D(0), total=result, result=result, band=band,
        )
    sub = Submission(code, year, f"{code}.xlsx", "0" * 64, persons=list(persons)) if score is not None or persons else None
    return UnitOutcome(code=code, name=f"Đơn vị {code}", email=None, status=status, submission=sub, score=score, rank=rank)


def py(year, unit_code, rating="HTXSNV", titles=(), initiatives=0, level="co-so", tasks=0, decision=""):
    inits = tuple(InitiativeRecord(f"SK {year}-{i}", f"{i}/QĐ", None, level) for i in range(initiatives))
    inits += tuple(InitiativeRecord(f"Đề tài {year}-{i}", kind=TASK) for i in range(tasks))
    source = DECIDED if decision else SELF_DECLARED
    return PersonYear(year, unit_code, rating, frozenset(titles), inits, source, decision)


def key(name, birth, code):
    return person_key(name, birth, code)


def psubject(p: PersonEntry, u: UnitOutcome, years=None, awards=()):
    return PersonSubject(key(p.name, p.birth_year, u.code), p.name, u, (p,), dict(years or {}), tuple(awards))


def usubject(u: UnitOutcome, years=None, awards=(), from_year=None):
    return UnitSubject(u, dict(years or {}), tuple(awards), from_year)


def find(noms, award, name):
    hits = [n for n in noms if n.award == award and n.name == name]
    assert len(hits) == 1, (award, name, [(n.award, n.name) for n in noms])
    return hits[0]


SCOPE_2025 = Scope(2025, (2022, 2023, 2024, 2025))
TONG_KET = Scope(2025, (2022, 2023, 2024, 2025), "2025-12")
SELF = "theo tự khai của đơn vị"
