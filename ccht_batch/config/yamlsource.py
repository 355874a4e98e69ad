"""YAML loading that remembers where every value came from.

Configuration errors must name the file, the line and the key path. PyYAML's constructed objects forget
their position, so we walk the composed node tree ourselves and keep a map from key path to line. The same
walk refuses duplicate keys, which PyYAML silently accepts (the later value would win unnoticed).

A configuration file is also input that may be hostile or simply broken, so the walk is bounded: aliases
(``*name``) may repeat a value, but a few kilobytes of aliases of aliases expand to billions of values, so
the walk stops after ``MAX_VALUES``; an alias inside its own anchor (``rec: &r [*r]``) and nesting deeper
than ``MAX_DEPTH`` are refused; control characters (NUL...) are refused before parsing. Each is a problem
with its line, like any other (exit 2), never a crash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple  # of str (mapping keys) and int (list indexes)

# The shipped criteria.yaml, the largest file, has about 2,000 values nested 11 deep.
MAX_VALUES = 200_000
MAX_DEPTH = 64


def render_path(path: KeyPath) -> str:
    """``('fields', 0, 'criteria', 2, 'max')`` → ``fields[0].criteria[2].max``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(gốc tệp)"


@dataclass
class SourceProblem:
    """A problem found while parsing, before any typed check."""

    line: int | None
    path: KeyPath
    found: str
    expected: str


@dataclass
class YamlSource:
    """A parsed YAML document with the line of each key path (1-based)."""

    label: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)
    raw: dict[KeyPath, str] = field(default_factory=dict)  # the text of numeric scalars as typed

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def _nfc(value: Any) -> Any:
    """Text as NFC: an editor may save "Có" decomposed, and it must still equal the template's "Có"."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


@dataclass
class _Budget:
    """What the walk may still spend: values (aliases expanded included), and the nodes on its path."""

    values: int = MAX_VALUES
    on_path: set[int] = field(default_factory=set)


def _walk(node: yaml.Node, path: KeyPath, src: YamlSource, loader: yaml.SafeLoader, budget: _Budget) -> Any:
    src.lines.setdefault(path, node.start_mark.line + 1)
    if budget.values <= 0:
        return None
    budget.values -= 1
    if budget.values == 0:
        src.problems.append(
            SourceProblem(
                src.line_of(path[:1]),  # the top-level key: the aliased values' own lines are elsewhere
                path[:1],
                f"hơn {MAX_VALUES:,} giá trị sau khi mở rộng bí danh (*)".replace(",", "."),
                "bí danh (&tên, *tên) chỉ dùng để lặp lại vài giá trị; không lồng bí danh này trong bí danh khác",
            )
        )
        return None
    if len(path) > MAX_DEPTH:
        budget.values = 0
        src.problems.append(SourceProblem(src.line_of(path), path[:1], f"lồng nhau hơn {MAX_DEPTH} cấp", "cấu trúc lồng nhau vài cấp như tệp mặc định"))
        return None
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in budget.on_path:
            src.problems.append(
                SourceProblem(src.line_of(path), path, "bí danh (*) trỏ vào chính giá trị chứa nó", "bí danh trỏ tới một giá trị đã khai báo xong ở nơi khác")
            )
            return None
        budget.on_path.add(id(node))
        try:
            return _walk_collection(node, path, src, loader, budget)
        finally:
            budget.on_path.discard(id(node))
    return _scalar(node, path, src, loader)


def _walk_collection(node: yaml.Node, path: KeyPath, src: YamlSource, loader: yaml.SafeLoader, budget: _Budget) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                src.problems.append(
                    SourceProblem(key_node.start_mark.line + 1, path, "(khóa phức hợp)", "khóa là một chuỗi ký tự")
                )
                continue
            key = _nfc(key_node.value)
            child = path + (key,)
            if key in result:
                shown = value_node.value if isinstance(value_node, yaml.ScalarNode) else f"{key}: ..."
                src.problems.append(
                    SourceProblem(
                        key_node.start_mark.line + 1,
                        child,
                        shown,
                        f"mỗi khóa chỉ xuất hiện một lần trong cùng một bảng (khóa '{key}' đã có ở dòng "
                        f"{src.lines.get(child)}; xóa hoặc gộp một trong hai dòng)",
                    )
                )
                continue
            src.lines[child] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, child, src, loader, budget)
        return result
    return [_walk(item, path + (i,), src, loader, budget) for i, item in enumerate(node.value)]


def _scalar(node: yaml.Node, path: KeyPath, src: YamlSource, loader: yaml.SafeLoader) -> Any:
    """PyYAML's safe constructors for the tag it resolved (int, float, bool, null, str, date)."""
    try:
        value = loader.construct_object(node)
    except ValueError:
        # A date-like 2025-13-45 that is no date: keep the text; the typed check says what is expected.
        return _nfc(str(node.value))
    except yaml.constructor.ConstructorError:
        src.problems.append(
            SourceProblem(
                node.start_mark.line + 1,
                path,
                f"{node.tag} {node.value}".strip(),
                "một giá trị thông thường (số, chữ, true/false), không dùng thẻ !!",
            )
        )
        return _nfc(str(node.value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # `id: 1.10` is the float 1.1; keep what was typed for keys that are text.
        src.raw[path] = node.value
    return _nfc(value)


# PyYAML's problems, said in Vietnamese with what to do; matched by prefix.
_SYNTAX_VI = (
    ("could not find expected ':'", "thiếu dấu hai chấm ':' sau khóa"),
    ("mapping values are not allowed here", "dấu hai chấm ':' không đúng chỗ: thụt lề sai, hoặc giá trị có dấu ':' mà không đặt trong ngoặc kép"),
    ("found character '\\t' that cannot start any token", "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"),
    ("found character", "giá trị bắt đầu bằng ký tự đặc biệt (@, `, %...): đặt giá trị trong ngoặc kép"),
    ("found unknown escape character", "dấu '\\' trong chuỗi ngoặc kép: đường dẫn Windows hãy đặt trong ngoặc đơn ('C:\\du_lieu') hoặc dùng '/'"),
    ("found unexpected end of stream", "chuỗi trong ngoặc chưa được đóng đến hết tệp"),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên (hoặc có chữ thừa sau giá trị)"),
    ("did not find expected key", "thụt lề không khớp hoặc thiếu dấu hai chấm"),
    ("did not find expected '-' indicator", "thụt lề sai trong danh sách (mỗi phần tử bắt đầu bằng '- ')"),
    ("expected ',' or '}'", "thiếu dấu phẩy giữa các cặp khóa: giá trị, hoặc thiếu dấu đóng '}'"),
    ("expected ',' or ']'", "thiếu dấu phẩy giữa các phần tử, hoặc thiếu dấu đóng ']'"),
    ("expected a comment or a line break", "có chữ thừa sau giá trị (ví dụ sau dấu ngoặc kép đóng)"),
    ("found undefined alias", "dùng bí danh '*' chưa được khai báo"),
    ("expected the node content", "thiếu giá trị"),
)
_SYNTAX_EXPECTED = "cú pháp YAML hợp lệ (thụt lề bằng dấu cách, dấu hai chấm sau khóa, dấu ngoặc kép đóng đủ)"


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> SourceProblem:
    """Where a person must look, which is not always where PyYAML noticed.

    A key without ':' is noticed on the next line; a '{' never closed, at the next key; a quote never closed,
    at the next quote, possibly lines later (the whole span parses as one string). We point at the start.
    """
    problem = (exc.problem or exc.context or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and (
        context.startswith("while scanning a simple key")
        or context.startswith("while scanning a quoted scalar")
        or context.startswith("while parsing a flow")
    ):
        mark = exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    said = next((vi for en, vi in _SYNTAX_VI if problem.startswith(en)), None)
    if said is None:
        said = f"lỗi cú pháp (chi tiết: {problem or exc})"
    quote_line = _unclosed_quote_line(text, line)
    if quote_line is not None:
        line, column = quote_line, None
        said = "dấu ngoặc kép mở ở dòng này chưa được đóng (chuỗi kéo dài sang các dòng sau)"
    where = f" ở cột {column}" if column else ""
    return SourceProblem(line, (), f"lỗi cú pháp YAML{where}: {said}", _SYNTAX_EXPECTED)


def _unclosed_quote_line(text: str, error_line: int | None) -> int | None:
    """The line where a quoted string opened, if it runs over several lines and ends where the error is."""
    if error_line is None:
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > error_line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") and token.end_mark.line > token.start_mark.line:
                last = token
            elif last is not None and token.start_mark.line > last.end_mark.line:
                last = None
    except yaml.YAMLError:
        pass
    if last is not None and last.end_mark.line + 1 == error_line:
        return last.start_mark.line + 1
    return None


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, label: str | None = None) -> YamlSource:
    """Parse ``path``; syntax errors become problems with their line, never exceptions."""
    label = label or path.name
    src = YamlSource(label=label, data=None)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        src.problems.append(
            SourceProblem(None, (), "(không có tệp)", f"tệp {label} (chạy 'ccht-batch init' để tạo cấu hình mặc định, rồi sửa)")
        )
        return src
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        src.problems.append(
            SourceProblem(
                line,
                (),
                f"byte không đọc được theo UTF-8 ({data[exc.start:exc.start + 1].hex()})",
                "tệp được lưu với mã hóa UTF-8 (Notepad: Lưu thành..., Mã hóa: UTF-8)",
            )
        )
        return src
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        src.problems.append(
            SourceProblem(
                line,
                (),
                f"ký tự điều khiển U+{ord(control.group()):04X} ở cột {column} (không nhìn thấy được)",
                "chỉ chữ, số, dấu câu và dấu cách; xóa ký tự này (thường do dán từ phần mềm khác)",
            )
        )
        return src
    try:
        # libyaml composes several times faster; the pure-Python parser words errors the way
        # _syntax_problem knows, so it runs again only when there is an error to explain.
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as fast_error:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            src.problems.append(_syntax_problem(exc, text))
            return src
        except yaml.YAMLError as exc:  # unmarked: the reader's, with a position
            src.problems.append(SourceProblem(_line_at(text, getattr(exc, "position", None)), (), f"lỗi cú pháp YAML: {exc}", _SYNTAX_EXPECTED))
            return src
        except RecursionError:  # libyaml stopped at its own nesting limit, where it says
            mark = getattr(fast_error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            src.problems.append(SourceProblem(line, (), f"lồng nhau quá sâu (hơn {MAX_DEPTH} cấp)", "cấu trúc lồng nhau vài cấp như tệp mặc định"))
            return src
    if node is None:
        src.data = {}
        return src
    src.data = _walk(node, (), src, yaml.SafeLoader(""), _Budget())
    return src


# C0 controls but tab, line feed and carriage return; DEL; C1 controls but NEL: YAML allows none of them,
# and nobody means to type one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _line_at(text: str, position: int | None) -> int | None:
    return None if position is None else text.count("\n", 0, position) + 1
