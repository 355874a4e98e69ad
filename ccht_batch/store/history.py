"""The yearly records in the store: read as a ``HistoryView``, and written by import and close-year.

Award rules look back years, so a person who changed division must keep the years spent in the old one:
``person_moves`` links the person's key under the old unit to the key under the new one, and every read
follows those links both ways. Rows are never overwritten: a newer version is inserted and the previous
one marked ``current = 0``, so a correction (a re-import, a forced close-year) can always be traced.
Only ``current = 1`` rows count.

Writers take the connection of an open ``Store.transaction()``: the caller decides what is all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from ccht_batch.core.records import (
    SELF_DECLARED,
    AwardRecord,
    InitiativeRecord,
    PersonYear,
    UnitYear,
    person_key,
)
from ccht_batch.core.values import fold_key, norm_text
from ccht_batch.store.db import Store, dumps, loads

INDIVIDUAL = "individual"
COLLECTIVE = "collective"


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def _key_prefix(name: str, birth_year: int | None) -> str:
    """The part of a person key that does not depend on the unit (see ``model.person_key``)."""
    return person_key(name, birth_year, "")


# ---------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Move:
    name: str
    birth_year: int | None
    from_unit: str
    to_unit: str
    year: int


@dataclass
class PersonIdentity:
    """One person across units: every key they had, and the moves that link them."""

    name: str
    birth_year: int | None
    keys: list[str]
    person_ids: list[int]
    units: list[str]  # in the order of the moves (first unit first)
    moves: list[Move] = field(default_factory=list)

    def unit_in(self, year: int) -> str | None:
        """The unit the person belonged to in ``year``, from the moves (None without moves)."""
        if not self.moves:
            return None
        unit = self.moves[0].from_unit
        for m in self.moves:
            if m.year <= year:
                unit = m.to_unit
        return unit


class StoreHistory:
    """``model.HistoryView`` over the store: the current version of every yearly record."""

    def __init__(self, store: Store):
        self.store = store

    # -- identity

    def identity(self, key: str) -> PersonIdentity | None:
        """The person behind ``key`` with every key linked to it by moves; None if never recorded."""
        row = self.store.one("SELECT * FROM persons WHERE key = ?", (key,))
        if row is None:
            return None
        prefix = _key_prefix(row["name"], row["birth_year"])
        # Everyone with the same folded name and birth year, in any unit: the candidates for links.
        # (a key range over the unique index: every key that starts with the prefix)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        same = self.store.all("SELECT * FROM persons WHERE key >= ? AND key < ? ORDER BY id", (prefix, upper))
        by_unit = {r["unit_code"]: r for r in same}
        by_id = {r["id"]: r for r in same}
        ids = list(by_id)
        moves = self.store.all(
            f"SELECT * FROM person_moves WHERE person_id IN ({','.join('?' * len(ids))}) ORDER BY year, id", tuple(ids)
        )
        edges: dict[int, set[int]] = {i: set() for i in ids}
        for m in moves:
            to_id = m["person_id"]
            src = by_unit.get(m["from_unit"])
            if src is not None and to_id in edges:
                edges[to_id].add(src["id"])
                edges[src["id"]].add(to_id)
        seen = {row["id"]}
        queue = deque([row["id"]])
        while queue:
            for nxt in edges[queue.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        own_moves = [
            Move(row["name"], row["birth_year"], m["from_unit"], m["to_unit"], m["year"])
            for m in moves
            if m["person_id"] in seen
        ]
        units: list[str] = []
        for m in own_moves:
            for u in (m.from_unit, m.to_unit):
                if u not in units:
                    units.append(u)
        for i in sorted(seen):
            if by_id[i]["unit_code"] not in units:
                units.append(by_id[i]["unit_code"])
        return PersonIdentity(
            name=row["name"],
            birth_year=row["birth_year"],
            keys=[by_id[i]["key"] for i in sorted(seen)],
            person_ids=sorted(seen),
            units=units,
            moves=own_moves,
        )

    def find_persons(self, name: str, unit_code: str | None = None) -> list[PersonIdentity]:
        """People whose folded name equals ``name`` (or contains it, if none equals), one per identity."""
        wanted = fold_key(name)
        rows = self.store.all("SELECT key, name, unit_code FROM persons ORDER BY id")
        exact = [r for r in rows if fold_key(r["name"]) == wanted]
        chosen = exact or [r for r in rows if wanted and wanted in fold_key(r["name"])]
        found: list[PersonIdentity] = []
        for r in chosen:
            if any(r["key"] in p.keys for p in found):
                continue
            ident = self.identity(r["key"])
            if ident is None or (unit_code and unit_code not in ident.units):
                continue
            found.append(ident)
        return found

    def unit_persons(self, unit_code: str) -> list[PersonIdentity]:
        rows = self.store.all("SELECT key FROM persons WHERE unit_code = ? ORDER BY name, birth_year", (unit_code,))
        out: list[PersonIdentity] = []
        for r in rows:
            if any(r["key"] in p.keys for p in out):
                continue
            ident = self.identity(r["key"])
            if ident is not None:
                out.append(ident)
        return out

    # -- HistoryView

    def person_years(self, person_key: str) -> dict[int, PersonYear]:
        ident = self.identity(person_key)
        if ident is None:
            return {}
        marks = ",".join("?" * len(ident.person_ids))
        ids = tuple(ident.person_ids)
        year_rows = self.store.all(
            f"SELECT py.*, p.key FROM person_years py JOIN persons p ON p.id = py.person_id "
            f"WHERE py.person_id IN ({marks}) AND py.current = 1 ORDER BY py.year, py.id",
            ids,
        )
        init_rows = self.store.all(
            f"SELECT * FROM initiatives WHERE person_id IN ({marks}) AND current = 1 ORDER BY year, id", ids
        )
        # Initiatives of a year under any of the person's keys count (a move within the year).
        initiatives: dict[int, list[InitiativeRecord]] = {}
        first_pid: dict[int, int] = {}
        for r in init_rows:
            rec = InitiativeRecord(title=r["title"], decision=r["decision"], decision_date=_date(r["decision_date"]), level=r["level"], kind=r["kind"])
            same_year = initiatives.setdefault(r["year"], [])
            if all((fold_key(x.title), x.decision, x.kind) != (fold_key(rec.title), rec.decision, rec.kind) for x in same_year):
                same_year.append(rec)
            first_pid.setdefault(r["year"], r["person_id"])
        # A year recorded under two of the person's keys: the unit the moves say they were in wins,
        # then the key asked for.
        chosen: dict[int, sqlite3.Row] = {}
        for r in year_rows:
            prev = chosen.get(r["year"])
            if prev is None or _preference(r, ident, person_key) < _preference(prev, ident, person_key):
                chosen[r["year"]] = r
        result: dict[int, PersonYear] = {}
        for year, r in chosen.items():
            result[year] = PersonYear(
                year=year,
                unit_code=r["unit_code"],
                rating=r["rating"],
                titles=frozenset(loads(r["titles_json"]) or ()),
                initiatives=tuple(initiatives.get(year, ())),
                source=r["rating_source"],
                decision=r["decision"],
                decision_date=_date(r["decision_date"]),
            )
        # Initiatives recorded for a year with no rating row: the year is known, the rating is not.
        unit_of = {r["id"]: r["unit_code"] for r in self.store.all(f"SELECT id, unit_code FROM persons WHERE id IN ({marks})", ids)}
        for year, recs in initiatives.items():
            if year not in result:
                result[year] = PersonYear(year=year, unit_code=unit_of[first_pid[year]], rating=None, initiatives=tuple(recs))
        return dict(sorted(result.items()))

    def person_awards(self, person_key: str) -> list[AwardRecord]:
        ident = self.identity(person_key)
        if ident is None:
            return []
        marks = ",".join("?" * len(ident.person_ids))
        rows = self.store.all(
            f"SELECT * FROM awards_received WHERE subject_kind = ? AND person_id IN ({marks}) ORDER BY year, id",
            (INDIVIDUAL, *ident.person_ids),
        )
        return [_award(r) for r in rows]

    def unit_years(self, unit_code: str) -> dict[int, UnitYear]:
        rows = self.store.all("SELECT * FROM unit_years WHERE unit_code = ? AND current = 1 ORDER BY year, id", (unit_code,))
        return {r["year"]: _unit_year(r) for r in rows}

    def unit_awards(self, unit_code: str) -> list[AwardRecord]:
        rows = self.store.all(
            "SELECT * FROM awards_received WHERE subject_kind = ? AND unit_code = ? ORDER BY year, id", (COLLECTIVE, unit_code)
        )
        return [_award(r) for r in rows]

    # -- wider reads (report, show)

    def all_unit_years(self, years: Iterable[int]) -> dict[str, dict[int, UnitYear]]:
        ys = tuple(years)
        if not ys:
            return {}
        rows = self.store.all(
            f"SELECT * FROM unit_years WHERE current = 1 AND year IN ({','.join('?' * len(ys))}) ORDER BY unit_code, year", ys
        )
        out: dict[str, dict[int, UnitYear]] = {}
        for r in rows:
            out.setdefault(r["unit_code"], {})[r["year"]] = _unit_year(r)
        return out

    def recognised_initiatives(self, years: Iterable[int]) -> list[tuple[int, str, str, InitiativeRecord]]:
        """(year, author, author's unit, initiative) for every author of a recognised initiative (a
        decision and a level) of ``years``: co-authors each have their row."""
        ys = tuple(years)
        if not ys:
            return []
        rows = self.store.all(
            f"SELECT i.*, p.name, p.unit_code FROM initiatives i JOIN persons p ON p.id = i.person_id "
            f"WHERE i.current = 1 AND i.year IN ({','.join('?' * len(ys))}) AND i.level IS NOT NULL AND i.decision != '' "
            f"ORDER BY i.year, p.unit_code, p.name, i.title",
            ys,
        )
        return [
            (r["year"], r["name"], r["unit_code"], InitiativeRecord(r["title"], r["decision"], _date(r["decision_date"]), r["level"]))
            for r in rows
        ]


def _preference(row: sqlite3.Row, ident: PersonIdentity, asked_key: str) -> tuple[int, int, int]:
    expected = ident.unit_in(row["year"])
    return (0 if expected == row["unit_code"] else 1, 0 if row["key"] == asked_key else 1, row["id"])


def _award(r: sqlite3.Row) -> AwardRecord:
    return AwardRecord(award=r["award"], year=r["year"], decision=r["decision"], decision_date=_date(r["decision_date"]), issuer=r["issuer"], name=r["name"])


def _unit_year(r: sqlite3.Row) -> UnitYear:
    return UnitYear(
        year=r["year"],
        unit_code=r["unit_code"],
        total=_dec(r["total"]),
        result=_dec(r["result"]),
        band=r["band"],
        rank=r["rank"],
        rating=r["rating"],
        titles=frozenset(loads(r["titles_json"]) or ()),
    )


# ---------------------------------------------------------------------------------------------------
# Writing (inside the caller's transaction)


def ensure_person(conn: sqlite3.Connection, name: str, birth_year: int | None, unit_code: str) -> int:
    """The id of the person with this key, created on first sight (the first spelling of the name is kept)."""
    key = person_key(name, birth_year, unit_code)
    row = conn.execute("SELECT id FROM persons WHERE key = ?", (key,)).fetchone()
    if row is not None:
        return row["id"]
    cur = conn.execute(
        "INSERT INTO persons (key, name, birth_year, unit_code) VALUES (?, ?, ?, ?)", (key, norm_text(name), birth_year, unit_code)
    )
    return int(cur.lastrowid)


def _supersede(conn: sqlite3.Connection, table: str, where: str, params: tuple) -> int:
    """Mark the current rows matching ``where`` as a previous version; return the next version number."""
    row = conn.execute(f"SELECT MAX(version) AS v FROM {table} WHERE {where}", params).fetchone()
    conn.execute(f"UPDATE {table} SET current = 0 WHERE current = 1 AND {where}", params)
    return (row["v"] or 0) + 1


def current_person_year(conn: sqlite3.Connection, person_id: int, year: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM person_years WHERE person_id = ? AND year = ? AND current = 1 ORDER BY id DESC", (person_id, year)
    ).fetchone()


def current_initiatives(conn: sqlite3.Connection, person_id: int, year: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM initiatives WHERE person_id = ? AND year = ? AND current = 1 ORDER BY id", (person_id, year)
    ).fetchall()


def current_unit_year(conn: sqlite3.Connection, unit_code: str, year: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM unit_years WHERE unit_code = ? AND year = ? AND current = 1 ORDER BY id DESC", (unit_code, year)
    ).fetchone()


def write_person_year(
    conn: sqlite3.Connection,
    person_id: int,
    year: int,
    unit_code: str,
    rating: str | None,
    titles: Iterable[str],
    source: str,
    rating_source: str = SELF_DECLARED,
    decision: str = "",
    decision_date: dt.date | None = None,
) -> int:
    """A new current version of the person's year; returns its version number. ``source`` says what wrote
    it (an import, a close-year); ``rating_source`` whether the rating and titles were declared by the unit
    (``tu-khai``) or decided (``quyet-dinh``, with the decision's number and date)."""
    version = _supersede(conn, "person_years", "person_id = ? AND year = ?", (person_id, year))
    conn.execute(
        "INSERT INTO person_years (person_id, year, unit_code, rating, titles_json, source, version, current, rating_source, decision, decision_date) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        (person_id, year, unit_code, rating, dumps(sorted(set(titles))), source, version, rating_source, decision, decision_date.isoformat() if decision_date else None),
    )
    return version


def replace_initiatives(
    conn: sqlite3.Connection, person_id: int, year: int, records: Iterable[tuple[InitiativeRecord, str]]
) -> int:
    """The person's initiatives of ``year`` become ``records`` (each with its source), as one new version."""
    version = _supersede(conn, "initiatives", "person_id = ? AND year = ?", (person_id, year))
    for rec, source in records:
        conn.execute(
            "INSERT INTO initiatives (person_id, year, title, decision, decision_date, level, source, version, current, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            (person_id, year, rec.title, rec.decision, rec.decision_date.isoformat() if rec.decision_date else None, rec.level, source, version, rec.kind),
        )
    return version


def write_unit_year(conn: sqlite3.Connection, uy: UnitYear, source: str) -> int:
    version = _supersede(conn, "unit_years", "unit_code = ? AND year = ?", (uy.unit_code, uy.year))
    conn.execute(
        "INSERT INTO unit_years (unit_code, year, total, result, band, rank, rating, titles_json, source, version, current) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        (
            uy.unit_code,
            uy.year,
            None if uy.total is None else str(uy.total),
            None if uy.result is None else str(uy.result),
            uy.band,
            uy.rank,
            uy.rating,
            dumps(sorted(uy.titles)),
            source,
            version,
        ),
    )
    return version


def replace_award(
    conn: sqlite3.Connection, kind: str, unit_code: str, person_id: int | None, rec: AwardRecord, source: str
) -> None:
    """Record an award received; one row per subject, form (and own name, for a form outside the
    configuration) and year (a re-import replaces it).

    ``awards_received`` has no version columns, so the replaced row is deleted (see the report to the lead).
    """
    if kind == INDIVIDUAL:
        conn.execute(
            "DELETE FROM awards_received WHERE subject_kind = ? AND person_id = ? AND award = ? AND year = ? AND name = ?",
            (kind, person_id, rec.award, rec.year, rec.name),
        )
    else:
        conn.execute(
            "DELETE FROM awards_received WHERE subject_kind = ? AND person_id IS NULL AND unit_code = ? AND award = ? AND year = ? AND name = ?",
            (kind, unit_code, rec.award, rec.year, rec.name),
        )
    conn.execute(
        "INSERT INTO awards_received (subject_kind, unit_code, person_id, award, year, decision, decision_date, issuer, source, name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, unit_code, person_id, rec.award, rec.year, rec.decision, rec.decision_date.isoformat() if rec.decision_date else None, rec.issuer, source, rec.name),
    )


def record_move(
    conn: sqlite3.Connection, name: str, birth_year: int | None, from_unit: str, to_unit: str, year: int, source: str
) -> None:
    """Link the person's key under ``from_unit`` to the key under ``to_unit``; the same move again replaces it."""
    ensure_person(conn, name, birth_year, from_unit)
    to_id = ensure_person(conn, name, birth_year, to_unit)
    conn.execute("DELETE FROM person_moves WHERE person_id = ? AND from_unit = ? AND to_unit = ?", (to_id, from_unit, to_unit))
    conn.execute(
        "INSERT INTO person_moves (person_id, from_unit, to_unit, year, source) VALUES (?, ?, ?, ?, ?)",
        (to_id, from_unit, to_unit, year, source),
    )


# ---------------------------------------------------------------------------------------------------
# Closing a year (history.close_year): versions of a year's closure, and what an earlier close retires


def current_closure(store: Store, year: int) -> dict | None:
    """The year's current closure: its version, when, and what it wrote; None if the year is not closed."""
    row = store.one("SELECT * FROM year_closures WHERE year = ? AND current = 1 ORDER BY version DESC", (year,))
    return None if row is None else {"version": row["version"], "closed_at": row["closed_at"], "summary": loads(row["summary_json"])}


def closure_versions(store: Store) -> dict[int, int]:
    """Each closed year → the version of its current closure."""
    return {r["year"]: r["version"] for r in store.all("SELECT year, version FROM year_closures WHERE current = 1 ORDER BY year")}


def open_closure(conn: sqlite3.Connection, year: int) -> int:
    """The version a new closure of ``year`` takes; the current one (if any) is kept as a previous one."""
    prev = conn.execute("SELECT MAX(version) AS v FROM year_closures WHERE year = ?", (year,)).fetchone()["v"] or 0
    conn.execute("UPDATE year_closures SET current = 0 WHERE year = ? AND current = 1", (year,))
    return prev + 1


def record_closure(conn: sqlite3.Connection, year: int, version: int, summary: dict) -> None:
    conn.execute(
        "INSERT INTO year_closures (year, closed_at, version, current, summary_json) VALUES (?, ?, ?, 1, ?)",
        (year, dt.datetime.now().isoformat(timespec="seconds"), version, dumps(summary)),
    )


def retire_unit_years(conn: sqlite3.Connection, year: int, source: str, keep: set[str]) -> None:
    """Rows ``source`` wrote for ``year`` of units not in ``keep``: kept as previous versions, not current."""
    for r in conn.execute("SELECT id, unit_code FROM unit_years WHERE year = ? AND current = 1 AND source = ?", (year, source)).fetchall():
        if r["unit_code"] not in keep:
            conn.execute("UPDATE unit_years SET current = 0 WHERE id = ?", (r["id"],))


def retire_person_rows(conn: sqlite3.Connection, year: int, source: str, keep: set[int]) -> None:
    """Ratings and initiatives ``source`` wrote for ``year`` of persons not in ``keep``: no longer current."""
    for table in ("person_years", "initiatives"):
        for r in conn.execute(f"SELECT id, person_id FROM {table} WHERE year = ? AND current = 1 AND source = ?", (year, source)).fetchall():
            if r["person_id"] not in keep:
                conn.execute(f"UPDATE {table} SET current = 0 WHERE id = ?", (r["id"],))


def decided_rating(store: Store, key: str, year: int, decided: str) -> str | None:
    """The person's rating of ``year`` when it comes from a decision (source ``decided``), else None."""
    row = store.one(
        "SELECT py.rating, py.rating_source FROM person_years py JOIN persons p ON p.id = py.person_id "
        "WHERE p.key = ? AND py.year = ? AND py.current = 1 ORDER BY py.id DESC LIMIT 1",
        (key, year),
    )
    return row["rating"] if row is not None and row["rating_source"] == decided else None


# ---------------------------------------------------------------------------------------------------
# What the store holds (history show), and what an import finds already there


def history_counts(store: Store) -> dict[str, int]:
    one = lambda sql: store.one(sql)["n"]  # noqa: E731
    return {
        "persons": one("SELECT COUNT(*) AS n FROM persons"),
        "person_years": one("SELECT COUNT(*) AS n FROM person_years WHERE current = 1"),
        "initiatives": one("SELECT COUNT(*) AS n FROM initiatives WHERE current = 1"),
        "awards": one("SELECT COUNT(*) AS n FROM awards_received"),
        "unit_years": one("SELECT COUNT(*) AS n FROM unit_years WHERE current = 1"),
    }


def history_years(store: Store) -> list[int]:
    """The years with a current record of a unit or a person."""
    sql = "SELECT DISTINCT year FROM unit_years WHERE current = 1 UNION SELECT DISTINCT year FROM person_years WHERE current = 1 ORDER BY year"
    return [r["year"] for r in store.all(sql)]


def move_recorded(conn: sqlite3.Connection, to_key: str, from_unit: str, to_unit: str, year: int) -> bool:
    sql = "SELECT 1 FROM person_moves pm JOIN persons p ON p.id = pm.person_id WHERE p.key = ? AND pm.from_unit = ? AND pm.to_unit = ? AND pm.year = ?"
    return conn.execute(sql, (to_key, from_unit, to_unit, year)).fetchone() is not None


def person_known(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM persons WHERE key = ?", (key,)).fetchone() is not None


def award_recorded(conn: sqlite3.Connection, kind: str, unit_code: str, person_id: int | None, rec: AwardRecord) -> bool:
    """Whether this very award (same form, year, decision, issuer and name) is already recorded."""
    return conn.execute(
        "SELECT 1 FROM awards_received WHERE subject_kind = ? AND unit_code = ? AND person_id IS ? AND award = ? AND year = ? "
        "AND decision = ? AND decision_date IS ? AND issuer = ? AND name = ?",
        (kind, unit_code, person_id, rec.award, rec.year, rec.decision, rec.decision_date.isoformat() if rec.decision_date else None, rec.issuer, rec.name),
    ).fetchone() is not None


# ---------------------------------------------------------------------------------------------------
# The report's figures (reports.data)


def rating_counts(store: Store, years: list[int]) -> dict[int, dict[str, int]]:
    """Year → rating → persons rated so (current records)."""
    marks = ",".join("?" * len(years))
    rows = store.all(
        f"SELECT year, rating, COUNT(*) AS n FROM person_years WHERE current = 1 AND year IN ({marks}) AND rating IS NOT NULL GROUP BY year, rating",
        tuple(years),
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["year"], {})[r["rating"]] = r["n"]
    return out


def awards_received_in(store: Store, years: list[int]) -> list[sqlite3.Row]:
    """Awards received in ``years``, with the person's name for an individual's."""
    marks = ",".join("?" * len(years))
    return store.all(
        f"SELECT a.*, p.name AS person_name FROM awards_received a LEFT JOIN persons p ON p.id = a.person_id "
        f"WHERE a.year IN ({marks}) ORDER BY a.year, a.subject_kind, a.unit_code, a.id",
        tuple(years),
    )
