"""Operating-system errors in Vietnamese: their own text is English and in the system's words."""

from __future__ import annotations

import errno
import socket

_OS_REASONS = {
    errno.EACCES: "không có quyền truy cập (tệp có thể đang mở trong chương trình khác, hoặc chỉ đọc)",
    errno.EPERM: "không được phép thao tác",
    errno.ENOENT: "không tìm thấy",
    errno.EEXIST: "đã có một tệp trùng tên ở đó",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Vietnamese: its own text is English and in the system's words."""
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy máy chủ (tên máy chủ sai, hoặc không có mạng)"
    if isinstance(exc, TimeoutError):
        return "hết thời gian chờ (máy chủ hoặc ổ mạng không trả lời)"
    if isinstance(exc, ConnectionError):
        return "không kết nối được (máy chủ từ chối hoặc đường truyền bị ngắt)"
    return _OS_REASONS.get(exc.errno, f"lỗi hệ thống số {exc.errno}" if exc.errno else "lỗi hệ thống")
