"""Typed access to one configuration document that records problems instead of raising.

Every check in ``config_parse`` and ``config_awards`` reads values through a ``Reader``: a value of the wrong
shape becomes a ``ConfigProblem`` with its file, line and key path, and reading goes on, so one
``ccht-batch check`` lists everything to fix.
"""

from __future__ import annotations

import difflib
import json
from decimal import Decimal
from typing import Any, Iterable

from ccht_batch.config.model import EMAIL_RE, ID_RE, ConfigProblem, to_decimal
from ccht_batch.config.yamlsource import KeyPath, YamlSource, render_path


def _shown(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Reader:
    """Typed access to one YAML document that records problems instead of raising."""

    def __init__(self, src: YamlSource, label: str):
        self.src = src
        self.label = label
        self.problems: list[ConfigProblem] = []
        for p in src.problems:
            self.problems.append(ConfigProblem(label, p.line, render_path(p.path) if p.path else "", p.found, p.expected))

    def problem(self, path: KeyPath, found: Any, expected: str) -> None:
        self.problems.append(
            ConfigProblem(self.label, self.src.line_of(path), render_path(path), _shown(found), expected)
        )

    # -- shapes

    def mapping(self, value: Any, path: KeyPath, allowed: Iterable[str] | None = None) -> dict:
        if not isinstance(value, dict):
            self.problem(path, value, "một bảng khóa: giá trị (mapping)")
            return {}
        if allowed is not None:
            allowed = set(allowed)
            for key in value:
                if key not in allowed:
                    close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
                    hint = f"; có phải '{close[0]}'?" if close else ""
                    self.problem(
                        path + (key,),
                        key,
                        "một trong các khóa: " + ", ".join(sorted(allowed)) + f" (khóa này không được hỗ trợ; kiểm tra chính tả{hint})",
                    )
        return value

    def sequence(self, value: Any, path: KeyPath, non_empty: bool = True) -> list:
        if not isinstance(value, list):
            self.problem(path, value, "một danh sách (mỗi phần tử bắt đầu bằng '- ')")
            return []
        if non_empty and not value:
            self.problem(path, "[]", "một danh sách có ít nhất một phần tử")
        return value

    # -- scalars; a missing required key is reported at its parent mapping

    def _get(self, m: dict, key: str, path: KeyPath, required: bool, takes: str = "") -> tuple[bool, Any]:
        if key not in m or m[key] is None:
            if required:
                what = f": {takes}" if takes else ""
                self.problem(path + (key,), None, f"khóa '{key}' (bắt buộc, đang thiếu hoặc để trống){what}")
            return False, None
        return True, m[key]

    def as_text(self, value: Any, path: KeyPath) -> str:
        """A scalar as the maintainer typed it: ``id: 1.10`` is "1.10", not the float's "1.1"."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and tuple(path) in self.src.raw:
            return self.src.raw[tuple(path)]
        return str(value)

    def text(self, m: dict, key: str, path: KeyPath, required: bool = True, default: str | None = None, takes: str = "") -> str | None:
        ok, v = self._get(m, key, path, required, takes)
        if not ok:
            return default
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            self.problem(path + (key,), v, "một chuỗi ký tự")
            return default
        v = self.as_text(v, path + (key,)).strip()
        if required and not v:
            self.problem(path + (key,), v, "một chuỗi ký tự không rỗng")
            return default
        return v

    def choice(self, m: dict, key: str, path: KeyPath, options: Iterable[str], required: bool = True, default: str | None = None) -> str | None:
        options = tuple(options)
        v = self.text(m, key, path, required, None, takes="một trong " + ", ".join(options))
        if v is None:
            return default
        if v not in options:
            self.problem(path + (key,), v, "một trong: " + ", ".join(options))
            return default
        return v

    def number(
        self,
        m: dict,
        key: str,
        path: KeyPath,
        required: bool = True,
        default: Decimal | None = None,
        minimum: Decimal | None = Decimal(0),
        positive: bool = False,
    ) -> Decimal | None:
        ok, v = self._get(m, key, path, required)
        if not ok:
            return default
        d = to_decimal(v)
        if d is None:
            self.problem(path + (key,), v, "một số (dấu chấm thập phân, ví dụ 2.5)")
            return default
        if positive and d <= 0:
            self.problem(path + (key,), v, "một số lớn hơn 0")
            return default
        if minimum is not None and d < minimum:
            self.problem(path + (key,), v, f"một số không nhỏ hơn {minimum}")
            return default
        return d

    def integer(self, m: dict, key: str, path: KeyPath, required: bool = True, default: int | None = None, minimum: int | None = None, maximum: int | None = None) -> int | None:
        ok, v = self._get(m, key, path, required)
        if not ok:
            return default
        if isinstance(v, bool) or not isinstance(v, int):
            self.problem(path + (key,), v, "một số nguyên")
            return default
        if minimum is not None and v < minimum:
            self.problem(path + (key,), v, f"một số nguyên không nhỏ hơn {minimum}")
            return default
        if maximum is not None and v > maximum:
            self.problem(path + (key,), v, f"một số nguyên không lớn hơn {maximum}")
            return default
        return v

    def boolean(self, m: dict, key: str, path: KeyPath, required: bool = True, default: bool = False) -> bool:
        ok, v = self._get(m, key, path, required)
        if not ok:
            return default
        if not isinstance(v, bool):
            self.problem(path + (key,), v, "true hoặc false")
            return default
        return v

    def identifier(self, m: dict, key: str, path: KeyPath) -> str | None:
        v = self.text(m, key, path)
        if v is not None and not ID_RE.match(v):
            self.problem(path + (key,), v, "một mã gồm chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (tối đa 32 ký tự)")
            return None
        return v

    def email(self, m: dict, key: str, path: KeyPath, required: bool = True) -> str | None:
        v = self.text(m, key, path, required)
        if v and not EMAIL_RE.match(v):
            self.problem(path + (key,), v, "một địa chỉ thư điện tử hợp lệ (ví dụ ten@donvi.gov.vn)")
            return None
        return v or None


