"""Templates: the contract's sheets, headers, drop-downs and metadata, filled and re-saved like real files."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import needs_soffice
from python_calamine import CalamineWorkbook
from support.soffice import soffice_convert

from ccht_batch.cli.console import Console
from ccht_batch.cli.main import main
from ccht_batch.config.load import load_config
from ccht_batch.core import vocab
from ccht_batch.forms import layout as L
from ccht_batch.forms.filling import fill_template, header_map
from ccht_batch.forms.template import write_templates

CONTRACT_SHEETS = [L.SHEET_GUIDE, L.SHEET_SCORES, L.SHEET_INDICATORS, L.SHEET_PERSONS, L.SHEET_META]


def _one(config, code="QLKH", year=2025) -> Path:
    return write_templates(config, year, [code])[0]


def _score_rows(ws):
    hrow, cols = header_map(ws, L.SCORE_HEADERS)
    out = []
    for r in range(hrow + 1, ws.max_row + 1):
        out.append({t: ws.cell(r, c).value for t, c in cols.items()} | {"_row": r})
    return hrow, cols, out


def _validations(ws) -> dict[str, object]:
    """cell → validation, for single cells and ranges (first cell of each range)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0]] = dv
    return out


def test_sheets_in_contract_order_meta_hidden(config):
    path = _one(config)
    assert path == config.output_dir / "templates" / "QLKH_2025.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == CONTRACT_SHEETS
    assert wb[L.SHEET_META].sheet_state == "hidden"
    assert wb[L.SHEET_LOOKUP].sheet_state == "hidden"
    meta = {r[0].value: r[1].value for r in wb[L.SHEET_META].iter_rows()}
    assert meta == {
        "kind": "template",
        "template_version": L.TEMPLATE_VERSION,
        "criteria_version": config.criteria_version,
        "year": 2025,
        "unit_code": "QLKH",
        "unit_name": "Phòng Quản lý Khoa học",
    }


def test_score_sheet_rows_follow_the_tree(config):
    ws = openpyxl.load_workbook(_one(config))[L.SHEET_SCORES]
    hrow, cols, rows = _score_rows(ws)
    assert hrow <= 10
    assert "Phòng Quản lý Khoa học" in str(ws["A2"].value) and "2025" in str(ws["A1"].value)
    crit = config.criteria
    expected = []
    for f in crit.fields:
        expected.append(f.id)
        expected += [c.id for c in f.criteria]
    expected += [c.id for c in crit.bonus_items] + [c.id for c in crit.penalty_items]
    codes = [str(r[L.COL_CODE]) for r in rows if r[L.COL_CODE] is not None]
    assert codes == expected
    by_code = {str(r[L.COL_CODE]): r for r in rows if r[L.COL_CODE] is not None}
    assert by_code["3"][L.COL_MAX] == 45 and by_code["3.2"][L.COL_MAX] == 8
    contents = [str(r[L.COL_CONTENT] or "") for r in rows]
    bonus_at = next(i for i, t in enumerate(contents) if t.startswith(L.BONUS_GROUP))
    penalty_at = next(i for i, t in enumerate(contents) if t.startswith(L.PENALTY_GROUP))
    assert rows[bonus_at + 1][L.COL_CODE] == "T1"
    assert rows[penalty_at + 1][L.COL_CODE] == "TR1"
    assert ws.cell(by_code["1"]["_row"], 1).font.b  # field rows are bold group rows
    # field subtotal and grand total are live formulas
    assert str(ws.cell(by_code["1"]["_row"], 7).value).startswith("=SUM(")


def test_input_cells_unlocked_others_locked_and_validated(config):
    ws = openpyxl.load_workbook(_one(config))[L.SHEET_SCORES]
    _, cols, rows = _score_rows(ws)
    assert ws.protection.sheet is True and not ws.protection.password
    by_code = {str(r[L.COL_CODE]): r for r in rows if r[L.COL_CODE] is not None}
    r = by_code["1.1"]["_row"]
    for title in (L.COL_SELF, L.COL_EVIDENCE, L.COL_NOTE):
        assert ws.cell(r, cols[title]).protection.locked is False
    for title in (L.COL_CODE, L.COL_CONTENT, L.COL_MAX):
        assert ws.cell(r, cols[title]).protection.locked is True
    dv = _validations(ws)
    self_col = openpyxl.utils.get_column_letter(cols[L.COL_SELF])
    numeric = dv[f"{self_col}{r}"]
    cell = f"{self_col}{r}"
    assert numeric.type == "custom" and numeric.formula1 == f"AND(ISNUMBER({cell}),{cell}>=0,{cell}<=3,MOD(ROUND({cell}*4,6),1)=0)"
    assert "0 đến 3, bước 0,25 điểm" in numeric.prompt and "bội số của 0,25" in numeric.error
    yes_no = dv[f"{self_col}{by_code['1.3']['_row']}"]
    scale = dv[f"{self_col}{by_code['3.3']['_row']}"]
    assert yes_no.type == "list" and L.SHEET_LOOKUP in yes_no.formula1
    assert scale.type == "list" and L.SHEET_LOOKUP in scale.formula1
    lookup = openpyxl.load_workbook(config.output_dir / "templates" / "QLKH_2025.xlsx")[L.SHEET_LOOKUP]
    assert _range_values(lookup, yes_no.formula1) == list(vocab.YES_NO)
    assert _range_values(lookup, scale.formula1) == list(vocab.SCALE)


def _validated_cells(ws) -> set[tuple[str, int, int]]:
    """(type, row, column) of every validated cell, whatever ranges the writer grouped them in."""
    return {(dv.type, r, c) for dv in ws.data_validations.dataValidation for rng in dv.sqref.ranges for r, c in rng.cells}


def _range_values(lookup_ws, formula: str) -> list[str]:
    m = re.search(r"\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    col, first, _, last = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    return [lookup_ws[f"{col}{r}"].value for r in range(first, last + 1)]


def test_not_applicable_criteria_for_a_unit_without_dossiers(config):
    unit = next(u for u in config.units if not u.handles_dossiers)
    ws = openpyxl.load_workbook(_one(config, unit.code))[L.SHEET_SCORES]
    _, cols, rows = _score_rows(ws)
    by_code = {str(r[L.COL_CODE]): r for r in rows if r[L.COL_CODE] is not None}
    for cid in ("3.2", "3.8"):
        assert by_code[cid][L.COL_SELF] == vocab.NOT_APPLICABLE
        assert ws.cell(by_code[cid]["_row"], cols[L.COL_SELF]).protection.locked is True
    assert by_code["3.1"][L.COL_SELF] is None


def test_indicator_and_person_sheets(config):
    wb = openpyxl.load_workbook(_one(config))
    wi = wb[L.SHEET_INDICATORS]
    hrow, icols = header_map(wi, L.INDICATOR_HEADERS)
    ids = [wi.cell(r, icols[L.COL_IND_CODE]).value for r in range(hrow + 1, wi.max_row + 1)]
    assert ids == [i.id for i in config.criteria.indicators]
    dv = _validations(wi)
    value_col = openpyxl.utils.get_column_letter(icols[L.COL_IND_VALUE])
    kinds = {wi.cell(r, icols[L.COL_IND_CODE]).value: dv[f"{value_col}{r}"].type for r in range(hrow + 1, wi.max_row + 1)}
    assert kinds["KH_NGAY"] == "date" and kinds["HS_TIEPNHAN"] == "whole"

    wp = wb[L.SHEET_PERSONS]
    hrow, pcols = header_map(wp, L.PERSON_HEADERS)
    assert [wp.cell(hrow, c).value for c in sorted(pcols.values())] == list(L.PERSON_HEADERS)
    assert wp.cell(hrow + 30, pcols[L.P_NO]).value == 30 and wp.cell(hrow + 31, pcols[L.P_NO]).value is None
    dv = _validations(wp)
    lookup = wb[L.SHEET_LOOKUP]
    col = lambda t: openpyxl.utils.get_column_letter(pcols[t])  # noqa: E731
    assert _range_values(lookup, dv[f"{col(L.P_GENDER)}{hrow + 1}"].formula1) == ["Nam", "Nữ"]
    assert _range_values(lookup, dv[f"{col(L.P_RATING)}{hrow + 1}"].formula1) == list(vocab.RATINGS.values())
    assert _range_values(lookup, dv[f"{col(L.P_LEVEL)}{hrow + 1}"].formula1) == ["Cơ sở", "Tỉnh", "Toàn quốc"]
    assert _range_values(lookup, dv[f"{col(L.P_PROPOSAL)}{hrow + 1}"].formula1) == [a.name for a in config.criteria.awards]
    birth = dv[f"{col(L.P_BIRTH)}{hrow + 1}"]
    assert birth.type == "whole" and (birth.formula1, birth.formula2) == ("1940", "2010")


def test_print_ready(config):
    wb = openpyxl.load_workbook(_one(config))
    ws = wb[L.SHEET_SCORES]
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows in ("4:4", "$4:$4")
    assert ws.freeze_panes == "A5"
    assert ws["B6"].font.name == "Times New Roman"
    assert ws.column_dimensions["B"].width >= 60


def test_long_award_names_never_make_an_inline_list_over_255(workdir):
    path = workdir / "config" / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    long = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng về thành tích xuất sắc trong phong trào thi đua đẩy mạnh cải cách hành chính giai đoạn"
    text = text.replace('name: "Bằng khen của Chủ tịch UBND tỉnh"', f'name: "{long} 2022 - 2025"')
    text = text.replace('name: "Giấy khen của Giám đốc Sở"', f'name: "{long} (Giấy khen của Giám đốc Sở)"')
    path.write_text(text, encoding="utf-8")
    config = load_config(workdir)
    assert sum(len(a.name) for a in config.criteria.awards) > 255
    wb = openpyxl.load_workbook(_one(config))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                assert not dv.formula1.startswith('"'), "inline list"
                assert len(dv.formula1) <= 255
    lookup = wb[L.SHEET_LOOKUP]
    names = [c.value for c in lookup["F"][1:] if c.value]
    assert f"{long} 2022 - 2025" in names


def test_filled_template_reads_back_by_sheet_and_header(config, tmp_path):
    template = _one(config)
    filled = fill_template(
        template,
        tmp_path / "filled.xlsx",
        scores={"1.1": 3, "1.3": "Có", "3.3": "Đạt", "2.1": 4.5, "T1": 1, "TR1": 2},
        evidence={"1.1": "KH số 12/KH-QLKH ngày 10/01/2025", "1.3": '=HYPERLINK("http://x","y")'},
        notes={"2.1": "Đã đăng 5 tin"},
        indicators={"KH_NGAY": "10/01/2025", "HS_TIEPNHAN": 40, "HS_DUNGHAN": 39},
        persons=[{L.P_NAME: "Nguyễn Văn An", L.P_BIRTH: 1985, L.P_GENDER: "Nam", L.P_RATING: vocab.RATINGS["HTXSNV"], L.P_PROPOSAL: config.criteria.awards[-1].name}],
    )
    wb = openpyxl.load_workbook(filled)
    _, cols, rows = _score_rows(wb[L.SHEET_SCORES])
    by_code = {str(r[L.COL_CODE]): r for r in rows if r[L.COL_CODE] is not None}
    assert by_code["1.1"][L.COL_SELF] == 3 and by_code["1.3"][L.COL_SELF] == "Có" and by_code["3.3"][L.COL_SELF] == "Đạt"
    assert by_code["2.1"][L.COL_NOTE] == "Đã đăng 5 tin" and by_code["T1"][L.COL_SELF] == 1 and by_code["TR1"][L.COL_SELF] == 2
    # the same values through python-calamine, the program's reader
    sheet = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(L.SHEET_SCORES).to_python(skip_empty_area=False)
    header_idx = next(i for i, row in enumerate(sheet) if L.COL_CODE in row)
    header = sheet[header_idx]
    cal = {str(row[header.index(L.COL_CODE)]): row for row in sheet[header_idx + 1 :] if row[header.index(L.COL_CODE)] != ""}
    assert cal["1.1"][header.index(L.COL_EVIDENCE)] == "KH số 12/KH-QLKH ngày 10/01/2025"
    assert cal["2.1"][header.index(L.COL_SELF)] == 4.5
    wp = wb[L.SHEET_PERSONS]
    hrow, pcols = header_map(wp, L.PERSON_HEADERS)
    assert wp.cell(hrow + 1, pcols[L.P_NAME]).value == "Nguyễn Văn An"
    assert wp.cell(hrow + 1, pcols[L.P_RATING]).value == "Hoàn thành xuất sắc nhiệm vụ"


def test_points_change_rows_and_version_wording_does_not(workdir):
    base = load_config(workdir)
    path = workdir / "config" / "criteria.yaml"
    original = path.read_text(encoding="utf-8")

    reworded = original.replace("Ban hành Kế hoạch CCHC năm của đơn vị đúng thời hạn", "Ban hành kịp thời Kế hoạch CCHC năm của đơn vị")
    path.write_text(reworded, encoding="utf-8")
    cfg = load_config(workdir)
    assert cfg.criteria_version == base.criteria_version
    ws = openpyxl.load_workbook(_one(cfg))[L.SHEET_SCORES]
    assert any(c.value == "Ban hành kịp thời Kế hoạch CCHC năm của đơn vị" for c in ws["B"])

    # 1.1 from 3 to 2 points, 1.3 from 3 to 4: the field still sums to 15
    changed = original.replace("on_time: 3\n", "on_time: 2\n").replace("late: 1.5 ", "late: 1 ")
    changed = changed.replace('      - id: "1.1"\n        name: "Ban hành Kế hoạch CCHC năm của đơn vị đúng thời hạn"\n        max: 3', '      - id: "1.1"\n        name: "Ban hành Kế hoạch CCHC năm của đơn vị đúng thời hạn"\n        max: 2')
    changed = changed.replace('        max: 3\n        method: yes_no\n        params:\n          choices: {"Có": 3, "Không": 0}', '        max: 4\n        method: yes_no\n        params:\n          choices: {"Có": 4, "Không": 0}')
    path.write_text(changed, encoding="utf-8")
    cfg = load_config(workdir)
    assert cfg.criteria.criterion("1.1").max == Decimal(2)
    assert cfg.criteria_version != base.criteria_version
    ws = openpyxl.load_workbook(_one(cfg))[L.SHEET_SCORES]
    _, cols, rows = _score_rows(ws)
    by_code = {str(r[L.COL_CODE]): r for r in rows if r[L.COL_CODE] is not None}
    assert by_code["1.1"][L.COL_MAX] == 2 and by_code["1.3"][L.COL_MAX] == 4
    meta = {r[0].value: r[1].value for r in openpyxl.load_workbook(_one(cfg))[L.SHEET_META].iter_rows()}
    assert meta["criteria_version"] == cfg.criteria_version

    # a method parameter change alone also changes the version
    path.write_text(original.replace('          zero_denominator: full    # không phát hiện', '          zero_denominator: zero    # không phát hiện'), encoding="utf-8")
    assert load_config(workdir).criteria_version != base.criteria_version


def test_cli_templates_for_named_units_and_unknown_unit(workdir, capsys):
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(["--workdir", str(workdir), "templates", "--year", "2025", "--unit", "VP", "CDS"], console=Console(out=out, err=err))
    assert code == 0
    assert sorted(p.name for p in (workdir / "output" / "templates").glob("*.xlsx")) == ["CDS_2025.xlsx", "VP_2025.xlsx"]
    assert "VP_2025.xlsx" in out.getvalue()
    code = main(["--workdir", str(workdir), "templates", "--unit", "KHONGCO"], console=Console(out=out, err=err))
    assert code == 2 and "KHONGCO" in err.getvalue()


@needs_soffice
def test_libreoffice_resave_keeps_values_validations_and_meta(config, tmp_path):
    template = _one(config)
    filled = fill_template(template, tmp_path / "in" / "filled.xlsx", scores={"1.1": 2.5, "1.3": "Không"}, evidence={"1.1": "Văn bản số 5"})
    resaved = soffice_convert(filled, "xlsx", tmp_path / "lo")
    original = openpyxl.load_workbook(filled)
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames[:5] == CONTRACT_SHEETS
    assert wb[L.SHEET_META].sheet_state == "hidden"
    meta = {r[0].value: r[1].value for r in wb[L.SHEET_META].iter_rows()}
    assert meta["kind"] == "template" and meta["unit_code"] == "QLKH" and int(meta["year"]) == 2025
    assert meta["criteria_version"] == config.criteria_version
    for name in (L.SHEET_SCORES, L.SHEET_INDICATORS, L.SHEET_PERSONS):
        a, b = original[name], wb[name]
        for row in a.iter_rows():
            for cell in row:
                if cell.value is not None and not str(cell.value).startswith("="):
                    assert b[cell.coordinate].value == cell.value, (name, cell.coordinate)
        assert _validated_cells(b) == _validated_cells(a), name
    # python-calamine still finds the hidden metadata
    cw = CalamineWorkbook.from_path(str(resaved))
    rows = cw.get_sheet_by_name(L.SHEET_META).to_python(skip_empty_area=False)
    assert ["unit_code", "QLKH"] in [r[:2] for r in rows]


def test_outdated_template_is_recognised(workdir):
    from ccht_batch.forms.template import template_is_current

    config = load_config(workdir)
    path = _one(config)
    assert template_is_current(config, path)
    crit = workdir / "config" / "criteria.yaml"
    crit.write_text(crit.read_text(encoding="utf-8").replace("zero_denominator: full    # không phát hiện", "zero_denominator: zero    # không phát hiện"), encoding="utf-8")
    assert not template_is_current(load_config(workdir), path)
    assert not template_is_current(config, workdir / "khong-co.xlsx")
