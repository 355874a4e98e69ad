"""The catalogue of issues: one stable code, one severity and one Vietnamese message per kind of problem.

Every problem found in a submitted file, an appraisal or a history workbook is an ``Issue`` built here, so
the wording a unit reads is the same everywhere (feedback workbook, consolidated workbook, e-mail,
``summary.json``) and says how to fix it. Severity follows DESIGN.md §5: an ``error`` rejects the file, a
``warning`` lets it count with the adjustment stated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
SEVERITY_TEXT = {ERROR: "Lỗi", WARNING: "Cảnh báo"}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    unit_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The shape of ``summary.json`` (DESIGN.md §8)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Issue":
        return cls(**d)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…"


# code: (severity, message). Placeholders are filled from the keyword arguments of ``make``.
CATALOGUE: dict[str, tuple[str, str]] = {
    # -- files that are not read
    "ignored-lock-file": (WARNING, "Tệp khóa tạm của Excel/LibreOffice (~$...), không phải bài nộp: bỏ qua, để nguyên trong thư mục."),
    "ignored-hidden-file": (WARNING, "Tệp ẩn, không phải bài nộp: bỏ qua, để nguyên trong thư mục."),
    "ignored-not-spreadsheet": (WARNING, "Không phải bảng tính (.xlsx, .xlsm, .xls, .ods): bỏ qua, để nguyên trong thư mục. Nếu đây là bài nộp, hãy lưu lại thành .xlsx."),
    "ignored-not-a-file": (WARNING, "Đây là {detail}, không phải tệp bảng tính: bỏ qua, để nguyên trong thư mục. Nếu cần tổng hợp, hãy chép chính tệp bảng tính vào input/."),
    "ignored-bad-name": (WARNING, "Tên tệp có ký tự không đọc được (tên đặt trên máy dùng bảng mã khác) nên chưa xử lý: để nguyên trong thư mục. Hãy đổi tên tệp rồi chạy lại."),
    "file-being-copied": (WARNING, "Tệp đang được chép, sẽ xử lý ở lần chạy sau (tệp thay đổi trong lúc chương trình đọc; để nguyên trong input/)."),
    "file-locked": (WARNING, "Chưa mở được tệp để đọc (tệp đang được chép hoặc đang mở trong chương trình khác, hoặc không có quyền đọc): để nguyên trong input/, sẽ xử lý ở lần chạy sau."),
    "file-in-use": (WARNING, "Tệp đang được mở trong chương trình khác (Excel?) nên chưa chuyển được sang {dest}. Hãy đóng tệp; lần chạy sau sẽ chuyển tiếp."),
    # -- files rejected before or while opening
    "file-too-large": (ERROR, "Tệp lớn {size_mb} MB, vượt giới hạn {limit_mb} MB. Đề nghị đơn vị xóa ảnh, trang tính thừa rồi lưu lại; tệp mẫu chuẩn chỉ vài chục KB."),
    "zip-too-many-entries": (ERROR, "Tệp chứa {entries} thành phần, vượt giới hạn {limit}. Đề nghị đơn vị dùng lại tệp mẫu gốc, không chèn thêm đối tượng."),
    "zip-too-large": (ERROR, "Nội dung giải nén của tệp là {size_mb} MB, vượt giới hạn {limit_mb} MB. Đề nghị đơn vị dùng lại tệp mẫu gốc."),
    "zip-ratio": (ERROR, "Tệp có tỷ lệ nén bất thường ({ratio}:1, giới hạn {limit}:1), có thể là tệp độc hại. Đề nghị đơn vị nhập lại số liệu vào tệp mẫu gốc."),
    "file-encrypted": (ERROR, "Tệp được đặt mật khẩu nên không đọc được. Đề nghị đơn vị gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại."),
    "file-corrupt": (ERROR, "Tệp bị hỏng hoặc không mở được ({detail}). Đề nghị đơn vị mở bằng Excel, lưu lại thành .xlsx rồi gửi lại."),
    "not-a-workbook": (ERROR, "Tệp có đuôi bảng tính nhưng không phải bảng tính ({detail}). Đề nghị đơn vị gửi đúng tệp mẫu tự chấm điểm đã điền."),
    "not-our-template": (ERROR, "Đây không phải tệp mẫu tự chấm điểm của phong trào (không có trang tính ẩn _meta hợp lệ). Đề nghị đơn vị tải tệp mẫu của đơn vị, điền vào đó và gửi lại."),
    "unknown-unit": (ERROR, "Mã đơn vị '{value}' trong tệp không có trong danh sách đơn vị. Đề nghị đơn vị dùng đúng tệp mẫu đã gửi cho đơn vị, hoặc liên hệ Văn phòng Sở."),
    "wrong-year": (ERROR, "Tệp mẫu của năm {value}, nhưng kỳ đang tổng hợp là năm {year}. Đề nghị đơn vị tải tệp mẫu năm {year} và điền lại."),
    "outdated-template": (ERROR, "Tệp mẫu đã cũ (phiên bản tiêu chí {value}, hiện hành {expected}). Đề nghị đơn vị tải tệp mẫu mới (tệp mẫu mới nhất Văn phòng Sở gửi), chép số liệu sang rồi gửi lại."),
    "sheet-missing": (ERROR, "Thiếu trang tính '{expected}'. Đề nghị đơn vị dùng lại tệp mẫu gốc, không xóa hoặc đổi tên trang tính."),
    "header-missing": (ERROR, "Không tìm thấy dòng tiêu đề có cột '{expected}' trong 10 dòng đầu. Đề nghị đơn vị dùng lại tệp mẫu gốc, không xóa hoặc đổi tên cột."),
    "file-too-complex": (ERROR, "Tệp quá phức tạp để đọc an toàn ({detail}). Đề nghị đơn vị chép số liệu sang tệp mẫu gốc (không dán cả trang tính, không thêm dữ liệu ngoài vùng của mẫu), lưu lại thành .xlsx rồi gửi lại."),
    "sheet-too-large": (ERROR, "Trang tính có dữ liệu đến tận ô {value}: {cells} ô tính từ ô A1, vượt giới hạn {limit} ô (tệp mẫu chỉ cần vài nghìn ô). Đề nghị đơn vị xóa nội dung ở các dòng, cột thừa ngoài vùng của tệp mẫu rồi lưu lại và gửi lại."),
    "cell-beyond-excel": (ERROR, "Ô {value} nằm ngoài giới hạn của Excel (cột XFD, dòng 1048576): tệp không phải do Excel hoặc LibreOffice lưu, hoặc đã bị sửa bằng công cụ khác. Đề nghị đơn vị nhập lại số liệu vào tệp mẫu gốc rồi gửi lại."),
    "xlsb-not-supported": (ERROR, "Tệp lưu theo kiểu bảng tính nhị phân .xlsb, chương trình không đọc kiểu này. Đề nghị đơn vị mở tệp bằng Excel, chọn Lưu thành (Save As), kiểu Excel Workbook (.xlsx), rồi gửi lại tệp .xlsx."),
    # -- appraisal workbooks
    "appraisal-wrong-period": (ERROR, "Bảng thẩm định của kỳ {value}, nhưng kỳ đang tổng hợp là {expected}. Hãy lập bảng thẩm định cho kỳ {expected} (ccht-batch appraisal --period {expected})."),
    "appraisal-unknown-unit": (ERROR, "Mã đơn vị '{value}' không có trong danh sách đơn vị. Hãy sửa lại đúng mã đơn vị."),
    "appraisal-unknown-criterion": (ERROR, "Mã tiêu chí '{value}' không có trong bộ tiêu chí hiện hành. Hãy lập lại bảng thẩm định từ chương trình."),
    # -- council workbooks (the emulation council's votes, filled after its meeting)
    "council-wrong-period": (ERROR, "Bảng biểu quyết của Hội đồng lập cho kỳ {value}, nhưng kỳ đang tổng hợp là {expected}. Hãy chép lại tệp vào thư mục input và chạy đúng kỳ: ccht-batch run --period {value}."),
    "council-invalid": (ERROR, "{detail}. Hãy sửa ô này (hoặc lập lại bảng bằng lệnh ccht-batch council rồi chép lại số phiếu) và chép lại tệp vào thư mục input."),
    "council-votes-missing": (ERROR, "Dòng đã ghi kết quả biểu quyết (quyết định: '{value}') nhưng thiếu số thành viên có mặt hoặc số phiếu đồng ý. Hãy ghi đủ theo biên bản họp Hội đồng."),
    "council-votes-over": (ERROR, "Số phiếu đồng ý {value} nhiều hơn số thành viên có mặt {expected}. Hãy ghi lại đúng theo biên bản họp Hội đồng."),
    "council-below-threshold": (WARNING, "Quyết định 'Đồng ý' nhưng {value} phiếu đồng ý chưa vượt quá {expected}% số thành viên có mặt: đề nghị này được tính là Hội đồng không thống nhất đề nghị. Nếu biên bản ghi khác, hãy sửa lại số phiếu."),
    # -- duplicates
    "duplicate-file": (WARNING, "Tệp này đã được tiếp nhận trước đó ({detail}); không tính lại lần nữa."),
    "superseded-file": (WARNING, "Đơn vị gửi nhiều tệp trong kỳ; tệp mới hơn '{detail}' được tính, tệp này không được tính."),
    # -- rows of the score sheet
    "row-missing": (ERROR, "Thiếu dòng tiêu chí '{value}'. Đề nghị đơn vị dùng lại tệp mẫu gốc, không xóa dòng."),
    "row-added": (ERROR, "Dòng có mã '{value}' không có trong bộ tiêu chí. Đề nghị đơn vị xóa dòng thêm vào hoặc dùng lại tệp mẫu gốc."),
    "row-order": (ERROR, "Dòng tiêu chí '{value}' không đúng thứ tự (cần '{expected}' ở vị trí này). Đề nghị đơn vị dùng lại tệp mẫu gốc, không sắp xếp lại dòng."),
    "row-duplicate": (ERROR, "Mã tiêu chí '{value}' xuất hiện nhiều lần. Đề nghị đơn vị xóa dòng lặp lại."),
    # -- score cells
    "score-not-a-number": (ERROR, "Điểm '{value}' không phải là số. Đề nghị đơn vị nhập số, ví dụ 2,5 hoặc 2.5."),
    "score-ambiguous-number": (ERROR, "Điểm '{value}' không rõ nghĩa (có thể là số thập phân hoặc dấu phân cách hàng nghìn). Đề nghị đơn vị nhập tối đa 2 chữ số thập phân, ví dụ 8,5."),
    "score-out-of-range": (ERROR, "Điểm {value} nằm ngoài khoảng cho phép 0 - {max}. Đề nghị đơn vị nhập lại điểm trong khoảng này."),
    "score-off-step": (ERROR, "Điểm {value} không đúng bước chấm {step} (ví dụ {example}). Đề nghị đơn vị làm tròn đến bội số của {step}."),
    "score-not-a-choice": (ERROR, "'{value}' không phải là một lựa chọn hợp lệ. Đề nghị đơn vị chọn trong danh sách: {expected}."),
    "number-look-alike": (ERROR, "'{value}' có ký tự trông giống chữ số nhưng không phải chữ số 0-9 (chữ số toàn độ rộng hoặc chữ số Ả Rập, thường do sao chép từ văn bản khác). Đề nghị đơn vị gõ lại con số bằng bàn phím."),
    "error-value": (ERROR, "Ô chứa giá trị lỗi của Excel ({value}), không phải một con số. Đề nghị đơn vị xóa giá trị lỗi và nhập trực tiếp con số."),
    "score-not-applicable": (WARNING, "Tiêu chí không áp dụng cho đơn vị; điểm '{value}' đã nhập không được tính."),
    "formula-in-number-cell": (ERROR, "Ô điểm/số liệu chứa công thức ({value}). Chương trình không tính công thức của đơn vị; đề nghị đơn vị nhập trực tiếp con số."),
    "formula-in-text-cell": (WARNING, "Ô chứa công thức không có giá trị đã lưu ({value}) nên được đọc là trống. Đề nghị đơn vị nhập trực tiếp nội dung, không dùng công thức."),
    # -- indicators
    "indicator-wrong-type": (ERROR, "Số liệu '{value}' không đúng kiểu: cần {expected}. Đề nghị đơn vị nhập lại."),
    "indicator-missing": (WARNING, "Chưa nhập số liệu '{expected}'; tiêu chí {detail} được tính như chưa có số liệu. Đề nghị đơn vị bổ sung ở trang Số liệu."),
    # -- scoring adjustments
    "evidence-missing": (WARNING, "Tiêu chí {detail} bắt buộc có tài liệu kiểm chứng nhưng ô để trống: tiêu chí được 0 điểm. Đề nghị đơn vị ghi số, ngày văn bản hoặc đường dẫn tài liệu kiểm chứng."),
    "evidence-explained": (WARNING, "Tiêu chí {detail} chưa có tài liệu kiểm chứng; đơn vị đã giải trình ở cột Ghi chú nên điểm tạm được tính, chờ thẩm định."),
    "self-score-differs": (WARNING, "Tiêu chí {detail}: điểm tự chấm {value}, điểm chương trình tính từ số liệu là {expected}; điểm tính từ số liệu được dùng. Đề nghị đơn vị kiểm tra lại số liệu hoặc điểm tự chấm."),
    # -- plausibility: figures that parse and score but cannot be true (the file counts)
    "date-implausible": (WARNING, "Ngày {value} nằm ngoài khoảng hợp lý của năm {year} (từ {first} đến {last}); tiêu chí {detail} vẫn được chấm theo ngày này. Đề nghị đơn vị kiểm tra lại ngày ở trang Số liệu."),
    "ratio-above-total": (WARNING, "Số liệu '{name}' ({value}) lớn hơn '{expected}' ({total}): tỷ lệ vượt 100%, tiêu chí {detail} được điểm tối đa. Đề nghị đơn vị kiểm tra lại hai số liệu này."),
    "initiatives-above-decisions": (WARNING, "Khai {value} sáng kiến được công nhận, nhưng trang Cá nhân chỉ ghi {count} quyết định công nhận khác nhau{listed}; một quyết định ghi hai lần chỉ tính một. Đề nghị đơn vị kiểm tra lại số liệu hoặc bổ sung cá nhân có sáng kiến."),
    "person-in-two-units": (WARNING, "Cá nhân '{value}' (năm sinh {year}) cũng có trong danh sách Cá nhân của {detail} trong kỳ này. Đề nghị đơn vị kiểm tra lại: mỗi người chỉ do đơn vị đang công tác kê khai."),
    # -- individuals
    "person-rating-missing": (WARNING, "Cá nhân '{value}' chưa có xếp loại: dòng này không được xét khen thưởng. Đề nghị đơn vị chọn xếp loại trong danh sách."),
    "person-choice-unknown": (WARNING, "'{value}' không phải lựa chọn hợp lệ của cột {detail}: dòng này không được xét khen thưởng. Đề nghị đơn vị chọn trong danh sách: {expected}."),
    "person-birth-year": (WARNING, "Năm sinh '{value}' không hợp lệ (cần số năm từ {min} đến {max}): dòng này không được xét khen thưởng."),
    "person-duplicate": (WARNING, "Cá nhân '{value}' được khai hai lần (dòng {detail}): chỉ dòng đầu được xét. Đề nghị đơn vị xóa dòng lặp."),
    "person-initiative-no-decision": (WARNING, "Sáng kiến của '{value}' chưa có số, ngày quyết định công nhận hoặc cấp công nhận: sáng kiến chưa được tính. Đề nghị đơn vị ghi số, ngày quyết định và chọn cấp công nhận."),
    "person-name-missing": (WARNING, "Dòng có thông tin nhưng thiếu họ và tên: dòng này không được xét. Đề nghị đơn vị nhập họ và tên."),
    # -- history import
    "history-invalid": (ERROR, "{detail}. Hãy sửa ô này rồi nhập lại; chưa có dòng nào của tệp được ghi."),
    "history-not-history-file": (ERROR, "Đây không phải tệp mẫu nhập lịch sử (không có trang tính ẩn _meta với kind = history). Hãy tạo tệp mẫu bằng lệnh 'ccht-batch history template', điền vào đó rồi nhập lại; chưa có dòng nào được ghi."),
    "history-outdated-template": (ERROR, "Tệp mẫu nhập lịch sử phiên bản {value}, chương trình cần phiên bản {expected}. Hãy tạo tệp mẫu mới bằng lệnh 'ccht-batch history template', chép số liệu sang rồi nhập lại; chưa có dòng nào được ghi."),
    # -- intake: a history workbook dropped in input/
    "history-in-input": (ERROR, "Đây là tệp nhập lịch sử các năm trước, không phải bảng tự chấm điểm: không tổng hợp tệp này. Hãy nhập bằng lệnh 'ccht-batch history import <tệp>'."),
    # -- the inbox (collect): what a received message carried that could not be saved into input/
    "mail-no-spreadsheet": (WARNING, "Thư không kèm tệp bảng tính (.xlsx, .xlsm, .xls, .ods): không có tệp nào để lưu. Nếu đơn vị định gửi bảng tự chấm điểm, đề nghị đơn vị gửi lại thư có đính kèm tệp."),
    "mail-not-spreadsheet": (WARNING, "Tệp đính kèm '{name}' không phải bảng tính: không lưu (chỉ lấy tệp .xlsx, .xlsm, .xls, .ods)."),
    "mail-winmail": (ERROR, "Tệp '{name}': Outlook gửi thư ở định dạng RTF nên không đọc được tệp đính kèm. Đề nghị đơn vị soạn thư ở định dạng HTML hoặc văn bản thường (Outlook: Tệp > Tùy chọn > Thư) rồi gửi lại."),
    "mail-attachment-too-large": (ERROR, "Tệp '{name}' lớn {size_mb} MB, vượt giới hạn {limit_mb} MB: không lưu. Đề nghị đơn vị xóa ảnh, trang tính thừa rồi gửi lại."),
    "mail-archive-protected": (ERROR, "Tệp nén '{name}' có mật khẩu: không mở. Đề nghị đơn vị gửi trực tiếp tệp Excel, không nén, không đặt mật khẩu."),
    "mail-archive-too-large": (ERROR, "Tệp nén '{name}' vượt giới hạn an toàn ({detail}): không mở. Đề nghị đơn vị gửi trực tiếp tệp Excel."),
    "mail-archive-unreadable": (ERROR, "Tệp nén '{name}' không mở được ({detail}): không lưu. Đề nghị đơn vị gửi trực tiếp tệp Excel, hoặc nén dạng .zip."),
    "mail-unknown-sender": (WARNING, "Địa chỉ người gửi {value} không có trong danh sách đơn vị (config/units.yaml): tệp vẫn được lưu. Đề nghị kiểm tra đơn vị gửi; nếu đơn vị dùng địa chỉ này, bổ sung vào danh sách."),
}


def make(code: str, *, file: str | None = None, sheet: str | None = None, cell: str | None = None, value: Any = None, unit_code: str | None = None, **params: Any) -> Issue:
    """Build the catalogue's issue ``code``; ``params`` fill the message's placeholders."""
    severity, template = CATALOGUE[code]
    shown = None if value is None else str(value)
    fill = _Blank(params)
    fill.setdefault("value", "" if shown is None else shown)
    return Issue(
        code=code,
        severity=severity,
        message=template.format_map(fill),
        file=file,
        sheet=sheet,
        cell=cell,
        value=shown,
        unit_code=unit_code,
    )


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == ERROR for i in issues)
