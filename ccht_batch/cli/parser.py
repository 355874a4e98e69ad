"""The command line's grammar: every command and option, in Vietnamese (DESIGN.md §10, a contract).

argparse speaks English; its words are swapped for Vietnamese ones only while our parser works, and help,
usage and errors go through the ``Console`` so that tests and pipes see exactly what a clerk sees.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from pathlib import Path

from ccht_batch import __version__
from ccht_batch.cli.console import Console
from ccht_batch.cli.context import EXIT_USAGE
from ccht_batch.core.periods import parse_period

# argparse's own words, in Vietnamese (argparse looks ``_`` up at call time).
_ARGPARSE_VI = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "Tham số",
    "options": "Tùy chọn",
    "optional arguments": "Tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "hiện số phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn không rõ: %(option)s có thể là %(matches)s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "conflicting option string: %s": "tùy chọn bị trùng: %s",
}


@contextlib.contextmanager
def _vietnamese_argparse():
    """argparse looks its words up through the module globals ``_`` and ``ngettext`` at call time.

    Swapping them only while our parser works keeps every other argparse user in the process (pytest,
    a host application) in its own language.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda text: _ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: _ARGPARSE_VI.get(one if n == 1 else many, one if n == 1 else many)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class VietnameseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Vietnamese and writes through the ``Console``, not straight to stdio.

    ``console`` is a class attribute: argparse builds each sub-parser from ``type(parent)``, so a class
    bound to a console (see ``build_parser``) carries it to every sub-command.
    """

    console: Console | None = None

    def __init__(self, *args, **kwargs):
        with _vietnamese_argparse():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _vietnamese_argparse():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _vietnamese_argparse():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _vietnamese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with _vietnamese_argparse():
            return super().format_help()

    def error(self, message: str):
        with _vietnamese_argparse():
            self.print_usage(sys.stderr)
            self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\nXem hướng dẫn: {self.prog} --help\n")

    def _print_message(self, message: str, file=None) -> None:
        if not message:
            return
        if self.console is None:
            super()._print_message(message, file)
        elif file is sys.stderr:
            self.console.err.write(message)
            self.console.err.flush()
        else:
            self.console.out.write(message)
            self.console.out.flush()


def _period(text: str) -> str:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"năm '{text}' không hợp lệ: cần một năm từ 2000 đến 2100, ví dụ 2025")
    return int(text)


def _day(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày '{text}' không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2025-11-01") from None


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}': cần một số nguyên dương")
    return int(text)


QUIET_HELP = "chỉ hiện các vấn đề (dùng khi chạy tự động, ví dụ bằng Task Scheduler); mọi dòng vẫn được ghi vào nhật ký output/logs/"


def _quiet_here(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` also after the command (``ccht-batch run --quiet``); absent there, the one before it counts."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=QUIET_HELP)


WORKDIR_HELP = "thư mục làm việc (mặc định: thư mục hiện tại); đặt trước hoặc sau tên lệnh đều được"


def add_workdir(sp: argparse.ArgumentParser) -> None:
    """``--workdir`` after the command too (DESIGN.md §10); left unset there, the global one stands."""
    sp.add_argument("--workdir", metavar="THƯ_MỤC", type=Path, default=argparse.SUPPRESS, help=WORKDIR_HELP)


def build_parser(console: Console | None = None) -> argparse.ArgumentParser:
    """The whole command line; help, usage and errors go to ``console`` (stdout/stderr when None)."""
    parser_class = type("ConsoleArgumentParser", (VietnameseArgumentParser,), {"console": console})
    p = parser_class(
        prog="ccht-batch",
        description="Tổng hợp, chấm điểm, xếp hạng và đề nghị khen thưởng phong trào thi đua cải cách hành chính.",
        epilog="Mã thoát: 0 xong; 1 xong nhưng có nội dung bị từ chối; 2 cấu hình hoặc cách dùng sai; 3 không chạy được.",
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    p.add_argument("-V", "--version", action="version", version=f"ccht-batch {__version__}", help="hiện số phiên bản rồi thoát")
    p.add_argument("--workdir", metavar="THƯ_MỤC", type=Path, default=Path("."), help=WORKDIR_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    sub = p.add_subparsers(dest="command", metavar="LỆNH", title="Các lệnh")
    sub.required = True

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        sp.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
        _quiet_here(sp)
        add_workdir(sp)
        return sp

    sp = command("init", "tạo thư mục làm việc với cấu hình mặc định, các thư mục input/, output/ và tệp khởi động ThiDua.cmd (không ghi đè tệp đã có)")
    sp.add_argument("dir", nargs="?", metavar="THƯ_MỤC", type=Path, help="thư mục cần tạo (mặc định: thư mục làm việc)")

    command("check", "kiểm tra cấu hình (config/*.yaml) và in tóm tắt")

    sp = command("templates", "tạo tệp mẫu tự chấm điểm của năm cho từng đơn vị")
    sp.add_argument("--year", type=_year, default=None, metavar="NĂM", help="năm của tệp mẫu (mặc định: năm hiện tại)")
    sp.add_argument("--unit", nargs="+", metavar="MÃ", default=None, help="chỉ tạo cho các đơn vị này")

    sp = command("run", "tổng hợp hằng tháng: đọc tệp trong input/, kiểm tra, chấm điểm, xếp hạng, đề nghị khen thưởng, ghi kết quả")
    sp.add_argument("--period", type=_period, default=None, metavar="YYYY-MM", help="kỳ tổng hợp (mặc định: tháng hiện tại)")
    sp.add_argument("--milestone", default=None, metavar="ĐỢT", help="đợt xét khen thưởng: so-ket (sơ kết) hoặc tong-ket (tổng kết)")
    sp.add_argument("--jobs", type=_jobs, default=None, metavar="N", help="số tiến trình đọc tệp song song (mặc định: số nhân CPU)")
    sp.add_argument("--force", action="store_true", help="chạy cả khi kỳ nằm ngoài giai đoạn của phong trào hoặc không tệp nào thuộc năm của kỳ")

    sp = command("appraisal", "tạo bảng thẩm định của kỳ cho Văn phòng Sở")
    sp.add_argument("--period", type=_period, default=None, metavar="YYYY-MM", help="kỳ thẩm định (mặc định: kỳ gần nhất đã có kết quả)")

    sp = command("council", "tạo bảng biểu quyết của Hội đồng Thi đua - Khen thưởng (HoiDong_<kỳ>.xlsx) để ghi kết quả họp")
    sp.add_argument("--period", type=_period, default=None, metavar="YYYY-MM", help="kỳ xét (mặc định: kỳ gần nhất đã có kết quả)")
    sp.add_argument("--milestone", default=None, metavar="ĐỢT", help="đợt xét khen thưởng: so-ket (sơ kết) hoặc tong-ket (tổng kết); bỏ trống: danh sách dự kiến hằng tháng")

    sp = command(
        "mail",
        "soạn (và gửi) thư điện tử của kỳ; 'mail templates' gửi tệp mẫu trắng cho từng đơn vị; "
        "'mail password' lưu mật khẩu thư điện tử vào kho mật khẩu của hệ điều hành",
    )
    sp.add_argument(
        "what",
        nargs="?",
        choices=["templates", "password"],
        metavar="templates|password",
        help="templates: gửi tệp mẫu trắng thay vì kết quả của kỳ; password: hỏi mật khẩu (không hiện khi gõ) và lưu vào kho mật khẩu",
    )
    sp.add_argument("--period", type=_period, default=None, metavar="YYYY-MM", help="kỳ (mặc định: kỳ gần nhất đã có kết quả)")
    sp.add_argument("--year", type=_year, default=None, metavar="NĂM", help="năm của tệp mẫu (với 'mail templates'; mặc định: năm gần nhất đã có tệp mẫu)")
    sp.add_argument("--force", action="store_true", help="với 'mail templates': gửi cả tệp mẫu của một năm ngoài giai đoạn phong trào")
    sp.add_argument("--send", action="store_true", help="gửi thật; không có tùy chọn này chỉ ghi tệp .eml vào thư mục outbox để xem trước")
    sp.add_argument("--resend", action="store_true", help="gửi lại những thư có thể đã gửi ở lần trước; với --to: gửi lại cả thư đã gửi cho những người nhận đó")
    sp.add_argument("--to", action="append", default=[], metavar="MÃ_HOẶC_ĐỊA_CHỈ", help="chỉ các thư gửi cho đơn vị (mã) hoặc địa chỉ này; nhiều người nhận: cách nhau bằng dấu phẩy, hoặc nhắc lại --to")
    sp.add_argument("--user", metavar="TÀI_KHOẢN", default=None, help="với 'mail password': tài khoản cần lưu mật khẩu (mặc định: mail.user)")
    sp.add_argument("--delete", action="store_true", help="với 'mail password': xóa mật khẩu đã lưu của tài khoản")

    sp = command("history", "lịch sử các năm trước: tệp mẫu nhập liệu, nhập, xem")
    hsub = sp.add_subparsers(dest="history_command", metavar="VIỆC", title="Các việc")
    hsub.required = True

    def history_command(name: str, help_text: str) -> argparse.ArgumentParser:
        hp = hsub.add_parser(name, help=help_text, description=help_text, add_help=False)
        hp.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
        _quiet_here(hp)
        add_workdir(hp)
        return hp

    history_command("template", "tạo tệp mẫu nhập lịch sử (output/templates/LichSu_mau.xlsx)")
    h = history_command("import", "nhập lịch sử từ tệp đã điền (có lỗi thì không nhập dòng nào)")
    h.add_argument("file", type=Path, metavar="TỆP", help="tệp lịch sử đã điền")
    h = history_command("show", "xem lịch sử của một đơn vị hoặc một cá nhân")
    h.add_argument("--unit", metavar="MÃ", default=None, help="mã đơn vị")
    h.add_argument("--person", metavar="HỌ_TÊN", default=None, help="họ và tên cá nhân")

    sp = command("close-year", "chốt kết quả cả năm vào lịch sử")
    sp.add_argument("--year", type=_year, default=None, metavar="NĂM", help="năm cần chốt (mặc định: năm hiện tại)")
    sp.add_argument("--yes", action="store_true", help="không hỏi lại")
    sp.add_argument("--force", action="store_true", help="chốt lại một năm đã chốt (giữ bản trước)")

    sp = command("report", "báo cáo kết quả phong trào gửi UBND tỉnh (Excel và Word)")
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--year", type=_year, default=None, metavar="NĂM", help="báo cáo năm")
    g.add_argument("--milestone", default=None, metavar="ĐỢT", help="báo cáo sơ kết (so-ket) hoặc tổng kết (tong-ket)")

    command("menu", "thực đơn đánh số các bước công việc trong tháng, bằng tiếng Việt (tệp ThiDua.cmd do lệnh init tạo mở thực đơn này)")
    sp = command("collect", "lưu tệp bảng tính đơn vị gửi về hộp thư (IMAP) của Văn phòng Sở vào input/, mỗi tệp một lần")
    sp.add_argument("--since", type=_day, default=None, metavar="YYYY-MM-DD", help="chỉ xét thư nhận từ ngày này (mặc định: ngày đầu tháng trước)")
    sp.add_argument("--dry-run", action="store_true", help="chỉ liệt kê tệp sẽ lưu; không lưu tệp, không chuyển thư")
    sp = command("documents", "soạn dự thảo hồ sơ khen thưởng (tờ trình, quyết định, biên bản, báo cáo thành tích) vào output/<YYYY-MM>/VanBan/")
    # its own dest: the default is the latest period with results (found in the store), not this month
    sp.add_argument("--period", dest="documents_period", type=_period, default=None, metavar="YYYY-MM", help="kỳ đã tổng hợp (mặc định: kỳ gần nhất đã có kết quả)")
    sp.add_argument("--milestone", default=None, metavar="ĐỢT", help="đợt xét: so-ket hoặc tong-ket (mặc định: đợt của lần chạy gần nhất của kỳ)")
    sp = command("store", "kho dữ liệu: kiểm tra tính toàn vẹn, khôi phục từ bản sao lưu")
    ssub = sp.add_subparsers(dest="store_command", metavar="VIỆC", title="Các việc")
    ssub.required = True
    sc = ssub.add_parser("check", help="kiểm tra kho dữ liệu và liệt kê các bản sao lưu", description="kiểm tra kho dữ liệu và liệt kê các bản sao lưu", add_help=False)
    sc.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    sr = ssub.add_parser(
        "restore",
        help="thay kho dữ liệu bằng một bản sao lưu (kho hiện tại được giữ lại bên cạnh)",
        description="thay kho dữ liệu bằng một bản sao lưu (kho hiện tại được giữ lại bên cạnh, không bị xóa)",
        add_help=False,
    )
    sr.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    which = sr.add_mutually_exclusive_group(required=True)
    which.add_argument("--latest", action="store_true", help="bản sao lưu gần nhất trong thư mục sao lưu")
    which.add_argument("file", nargs="?", type=Path, default=None, metavar="TỆP", help="tệp sao lưu cần khôi phục")
    which.add_argument("--empty", action="store_true", help="bắt đầu lại với kho dữ liệu trống (mất toàn bộ lịch sử đã lưu)")

    sp = command("demo", "tạo thư mục mẫu với dữ liệu minh họa và chạy thử tổng hợp")
    sp.add_argument("dir", nargs="?", metavar="THƯ_MỤC", type=Path, default=None, help="thư mục tạo dữ liệu mẫu (mặc định: ./demo)")
    return p
