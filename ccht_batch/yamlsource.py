"""YAML loading that remembers where every value came from.

Configuration errors must name the file, the line and the key path. PyYAML's constructed objects forget
their position, so we walk the composed node tree ourselves and keep a map from key path to line. The same
walk refuses duplicate keys, which PyYAML silently accepts (the later value would win unnoticed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple  # of str (mapping keys) and int (list indexes)


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

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def _walk(node: yaml.Node, path: KeyPath, src: YamlSource, loader: yaml.SafeLoader) -> Any:
    src.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                src.problems.append(
                    SourceProblem(key_node.start_mark.line + 1, path, "(khóa phức hợp)", "khóa là một chuỗi ký tự")
                )
                continue
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            child = path + (key,)
            if key in result:
                src.problems.append(
                    SourceProblem(
                        key_node.start_mark.line + 1,
                        child,
                        key,
                        f"mỗi khóa chỉ xuất hiện một lần (đã có ở dòng {src.lines.get(child)})",
                    )
                )
                continue
            src.lines[child] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, child, src, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), src, loader) for i, item in enumerate(node.value)]
    # Scalars: PyYAML's safe constructors for the tag it resolved (int, float, bool, null, str, date).
    return loader.construct_object(node)


def load_yaml(path: Path, label: str | None = None) -> YamlSource:
    """Parse ``path``; syntax errors become problems with their line, never exceptions."""
    label = label or path.name
    src = YamlSource(label=label, data=None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        src.problems.append(SourceProblem(None, (), "(không có tệp)", f"tệp {label} phải tồn tại"))
        return src
    except UnicodeDecodeError as exc:
        src.problems.append(
            SourceProblem(None, (), f"byte không hợp lệ ở vị trí {exc.start}", "tệp được lưu với mã hóa UTF-8")
        )
        return src
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = f", cột {mark.column + 1}" if mark else ""
        what = (exc.problem or exc.context or "lỗi cú pháp").strip()
        src.problems.append(
            SourceProblem(line, (), f"lỗi cú pháp YAML{column}: {what}", "cú pháp YAML hợp lệ (thụt lề bằng dấu cách, dấu hai chấm sau khóa, dấu ngoặc kép đóng đủ)")
        )
        return src
    except yaml.YAMLError as exc:  # pragma: no cover - defensive: unmarked errors
        src.problems.append(SourceProblem(None, (), f"lỗi cú pháp YAML: {exc}", "cú pháp YAML hợp lệ"))
        return src
    if node is None:
        src.data = {}
        return src
    try:
        src.data = _walk(node, (), src, yaml.SafeLoader(""))
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        src.problems.append(
            SourceProblem(mark.line + 1 if mark else None, (), str(exc.problem), "giá trị YAML thông thường (không dùng thẻ !!)")
        )
    return src
