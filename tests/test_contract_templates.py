"""Contract tests of `ccht-batch templates` (DESIGN.md §4): what a unit opens, read back from the workbook only."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from support.contract import (
    SHEET_ORDER,
    YEAR,
    Template,
    award_rules,
    cli,
    criteria,
    dv_choices,
    load_yaml,
    meta,
    new_workdir,
    sha256,
    units,
)

GENDERS = ["Nam", "Nữ"]
RATINGS = ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]
LEVELS = ["Cơ sở", "Tỉnh", "Toàn quốc"]


@pytest.fixture(scope="module")
def wd(tmp_path_factory):
    return new_workdir(tmp_path_factory.mktemp("contract_templates"))


def _tpl(wd, code):
    return wd / "output" / "templates" / f"{code}_{YEAR}.xlsx"


def test_one_template_per_unit(wd):
    got = sorted(p.name for p in (wd / "output" / "templates").glob("*.xlsx"))
    assert got == sorted(f"{u['code']}_{YEAR}.xlsx" for u in units(wd))


def test_sheet_order_and_hidden_meta(wd):
    for u in units(wd):
        wb = openpyxl.load_workbook(_tpl(wd, u["code"]))
        contract = [n for n in wb.sheetnames if n in SHEET_ORDER]
        assert contract == SHEET_ORDER, wb.sheetnames
        assert wb["_meta"].sheet_state in ("hidden", "veryHidden")
        for ws in wb.worksheets:  # anything else (the lookup sheet) is hidden
            if ws.title not in SHEET_ORDER:
                assert ws.sheet_state in ("hidden", "veryHidden"), ws.title
        assert wb.sheetnames.index("_meta") > wb.sheetnames.index("Cá nhân")


def test_meta_keys_and_values(wd):
    versions = set()
    for u in units(wd):
        m = meta(openpyxl.load_workbook(_tpl(wd, u["code"])))
        assert m["kind"] == "template"
        assert isinstance(m["template_version"], int) or str(m["template_version"]).isdigit()
        assert m["criteria_version"] not in (None, "")
        assert int(m["year"]) == YEAR
        assert m["unit_code"] == u["code"] and m["unit_name"] == u["name"]
        versions.add(str(m["criteria_version"]))
    assert len(versions) == 1, "one criteria version for one configuration"


def test_score_rows_in_tree_order_with_max(wd):
    doc = load_yaml(wd, "criteria.yaml")
    expected = []
    for f in doc["fields"]:
        expected.append((str(f["id"]), Decimal(str(f["max"]))))
        expected += [(str(c["id"]), Decimal(str(c["max"]))) for c in f["criteria"]]
    t = Template(_tpl(wd, "VP"))
    assert t.s_hdr <= 10
    ws, col = t.scores, t.s_col
    got = []
    for r in range(t.s_hdr + 1, ws.max_row + 1):
        v = ws.cell(r, col["Mã tiêu chí"]).value
        if v not in (None, "") and str(v) in {e[0] for e in expected}:
            got.append((str(v), Decimal(str(ws.cell(r, col["Điểm tối đa"]).value))))
    assert got == expected


def test_bonus_and_penalty_groups_follow_the_fields(wd):
    doc = load_yaml(wd, "criteria.yaml")
    t = Template(_tpl(wd, "VP"))
    ws, col = t.scores, t.s_col
    content = [(r, str(ws.cell(r, col["Nội dung"]).value or ""), ws.cell(r, col["Mã tiêu chí"]).value)
               for r in range(t.s_hdr + 1, ws.max_row + 1)]
    bonus_row = next(r for r, text, _ in content if text.startswith("Điểm thưởng"))
    pen_row = next(r for r, text, _ in content if text.startswith("Điểm trừ"))
    last_crit = max(t.rows[str(c["id"])] for f in doc["fields"] for c in f["criteria"])
    assert last_crit < bonus_row < pen_row
    bonus_ids = [i["id"] for i in doc["bonus"]["items"]]
    pen_ids = [i["id"] for i in doc["penalties"]["items"]]
    assert [t.rows[i] for i in bonus_ids] == list(range(bonus_row + 1, bonus_row + 1 + len(bonus_ids)))
    assert [t.rows[i] for i in pen_ids] == list(range(pen_row + 1, pen_row + 1 + len(pen_ids)))


def test_not_applicable_rows_locked_for_units_without_dossiers(wd):
    crits = criteria(wd)
    dossier_only = [c.id for c in crits if c.applies_to == "handles_dossiers"]
    assert dossier_only
    for u in units(wd):
        t = Template(_tpl(wd, u["code"]))
        for cid in dossier_only:
            cell = t.scores[t.cell(cid)]
            if u.get("handles_dossiers"):
                assert cell.value in (None, "") and cell.protection.locked is False, (u["code"], cid)
            else:
                assert cell.value == "Không áp dụng" and cell.protection.locked is not False, (u["code"], cid)


def test_input_cells_unlocked_the_rest_locked(wd):
    t = Template(_tpl(wd, "VP"))
    assert t.scores.protection.sheet
    doc = load_yaml(wd, "criteria.yaml")
    inputs = {c.id for c in criteria(wd)} | {i["id"] for i in doc["bonus"]["items"] + doc["penalties"]["items"]}
    for cid in t.rows:
        if cid in inputs:
            for title in ("Điểm tự chấm", "Tài liệu kiểm chứng", "Ghi chú"):
                assert t.scores[t.cell(cid, title)].protection.locked is False, (cid, title)
            for title in ("Mã tiêu chí", "Nội dung", "Điểm tối đa"):
                assert t.scores[t.cell(cid, title)].protection.locked is not False, (cid, title)


def test_choice_criteria_offer_contract_texts(wd):
    t = Template(_tpl(wd, "VP"))
    for c in criteria(wd):
        got = t.choices(c.id)
        if c.method == "yes_no":
            assert got == ["Có", "Không"], (c.id, got)
            assert set(c.params["choices"]) == set(got)
        elif c.method == "scale":
            assert got == ["Tốt", "Đạt", "Chưa đạt"], (c.id, got)
            assert set(c.params["choices"]) == set(got)
        else:
            assert got is None, (c.id, got)


def test_list_validations_live_on_a_hidden_sheet(wd):
    wb = openpyxl.load_workbook(_tpl(wd, "VP"))
    n = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                n += 1
                assert "!" in dv.formula1, f"inline list on {ws.title}: {dv.formula1}"
                sheet = dv.formula1.lstrip("=").rsplit("!", 1)[0].strip("'")
                assert wb[sheet].sheet_state in ("hidden", "veryHidden")
                assert len(dv.formula1) <= 255
    assert n >= 5


def test_person_sheet_drop_downs(wd):
    t = Template(_tpl(wd, "VP"))
    assert t.p_hdr <= 10
    assert t.person_choices("Giới tính") == GENDERS
    assert t.person_choices("Xếp loại") == RATINGS
    assert t.person_choices("Cấp công nhận sáng kiến") == LEVELS
    assert sorted(t.person_choices("Hình thức đề nghị")) == sorted(r["name"] for r in award_rules(wd))
    rows = load_yaml(wd, "settings.yaml")["templates"]["individual_rows"]
    last = t.p_hdr + rows
    assert dv_choices(t.wb, t.persons, f"F{last}") == RATINGS
    assert t.persons.cell(last, t.p_col["Họ và tên"]).protection.locked is False


def test_indicator_sheet_rows(wd):
    doc = load_yaml(wd, "criteria.yaml")
    t = Template(_tpl(wd, "VP"))
    assert t.i_hdr <= 10
    assert list(t.ind_rows) == [i["id"] for i in doc["indicators"]]
    for i in doc["indicators"]:
        r = t.ind_rows[i["id"]]
        assert t.ind.cell(r, t.i_col["Đơn vị tính"]).value == i["unit"]
        assert t.ind[t.ind_cell(i["id"])].protection.locked is False


def test_instructions_show_deadline_and_contact(wd):
    s = load_yaml(wd, "settings.yaml")
    wb = openpyxl.load_workbook(_tpl(wd, "VP"))
    text = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value is not None)
    assert s["contact"]["name"] in text and s["contact"]["phone"] in text
    assert f"ngày {s['deadline']['day_of_month']}" in text


def test_unit_option_writes_only_named_units(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, "templates", "--year", "2024", "--unit", "VP", "CDS")
    assert r.rc == 0, r.text
    assert sorted(p.name for p in (wd / "output" / "templates").glob("*.xlsx")) == ["CDS_2024.xlsx", "VP_2024.xlsx"]
    assert meta(openpyxl.load_workbook(wd / "output" / "templates" / "VP_2024.xlsx"))["year"] in (2024, "2024")
    r = cli(wd, "templates", "--year", "2024", "--unit", "NOPE")
    assert r.rc == 2, r.text


def test_criteria_version_tracks_points_not_wording(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    cfg = wd / "config" / "criteria.yaml"
    original = cfg.read_text(encoding="utf-8")

    def version() -> str:
        r = cli(wd, "templates", "--year", str(YEAR), "--unit", "VP")
        assert r.rc == 0, r.text
        return str(meta(openpyxl.load_workbook(wd / "output" / "templates" / f"VP_{YEAR}.xlsx"))["criteria_version"])

    v0 = version()
    cfg.write_text(original.replace('name: "Số tin, bài về CCHC được đăng tải"', 'name: "Số tin, bài viết về CCHC được đăng"'),
                   encoding="utf-8")
    assert version() == v0, "a wording fix must not outdate every unit's file"
    # a scoring parameter: the points of a late plan (criterion 1.1)
    changed = original.replace("late: 1.5 ", "late: 1 ", 1)
    assert changed != original
    cfg.write_text(changed, encoding="utf-8")
    assert cli(wd, "check").rc == 0
    assert version() != v0, "a scoring parameter changed: the version must change"


def test_templates_are_byte_identical_across_folders(tmp_path):
    a = new_workdir(tmp_path, "a")
    b = new_workdir(tmp_path, "b")
    for u in units(a):
        assert sha256(_tpl(a, u["code"])) == sha256(_tpl(b, u["code"])), u["code"]
