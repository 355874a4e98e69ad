"""The template's layout: sheet names, header titles and metadata keys (DESIGN.md §4, a contract).

The generator writes these and the reader looks for them by title, never by position, so a unit that
inserts a column or a row does not shift what we read.
"""

from __future__ import annotations

# Bump when the layout (not the criteria) changes in a way old readers cannot follow.
# 2: `Cá nhân` ends with `Đề tài, đề án KH&CN đã nghiệm thu, áp dụng` (Law art. 74.1(d)).
TEMPLATE_VERSION = 2

SHEET_GUIDE = "Hướng dẫn"
SHEET_SCORES = "Tự chấm điểm"
SHEET_INDICATORS = "Số liệu"
SHEET_PERSONS = "Cá nhân"
SHEET_META = "_meta"
SHEET_LOOKUP = "_danh_muc"

COL_CODE = "Mã tiêu chí"
COL_CONTENT = "Nội dung"
COL_MAX = "Điểm tối đa"
COL_SELF = "Điểm tự chấm"
COL_EVIDENCE = "Tài liệu kiểm chứng"
COL_NOTE = "Ghi chú"
SCORE_HEADERS = (COL_CODE, COL_CONTENT, COL_MAX, COL_SELF, COL_EVIDENCE, COL_NOTE)

COL_IND_CODE = "Mã chỉ số"
COL_IND_CONTENT = "Nội dung"
COL_IND_UNIT = "Đơn vị tính"
COL_IND_VALUE = "Giá trị"
INDICATOR_HEADERS = (COL_IND_CODE, COL_IND_CONTENT, COL_IND_UNIT, COL_IND_VALUE)

P_NO = "STT"
P_NAME = "Họ và tên"
P_BIRTH = "Năm sinh"
P_GENDER = "Giới tính"
P_POSITION = "Chức vụ"
P_RATING = "Xếp loại"
P_INITIATIVE = "Sáng kiến, giải pháp"
P_DECISION = "Số, ngày quyết định công nhận sáng kiến"
P_LEVEL = "Cấp công nhận sáng kiến"
P_PROPOSAL = "Hình thức đề nghị"
P_SUMMARY = "Tóm tắt thành tích"
P_TASKS = "Đề tài, đề án KH&CN đã nghiệm thu, áp dụng"
PERSON_HEADERS = (P_NO, P_NAME, P_BIRTH, P_GENDER, P_POSITION, P_RATING, P_INITIATIVE, P_DECISION, P_LEVEL, P_PROPOSAL, P_SUMMARY, P_TASKS)

BONUS_GROUP = "Điểm thưởng"
PENALTY_GROUP = "Điểm trừ"
TOTAL_LABEL = "Tổng cộng"

HEADER_SEARCH_ROWS = 10  # the header row is within the first 10 rows

META_KIND = "kind"
META_TEMPLATE_VERSION = "template_version"
META_CRITERIA_VERSION = "criteria_version"
META_YEAR = "year"
META_UNIT_CODE = "unit_code"
META_UNIT_NAME = "unit_name"
META_PERIOD = "period"
META_BASIS = "basis:"  # appraisal workbooks: "basis:<unit code>" → SHA-256 of the submission appraised
META_MILESTONE = "milestone"

KIND_TEMPLATE = "template"
KIND_APPRAISAL = "appraisal"
KIND_COUNCIL = "council"
KIND_HISTORY = "history"

BIRTH_YEAR_MIN = 1940
BIRTH_YEAR_MAX = 2010

# The appraisal workbook (thẩm định): the Office's scores, read back like a unit's file.
APPRAISAL_SHEET = "Thẩm định"

A_UNIT = "Mã đơn vị"
A_UNIT_NAME = "Tên đơn vị"
A_CODE = "Mã tiêu chí"
A_CONTENT = "Nội dung"
A_MAX = "Điểm tối đa"
A_SELF = "Điểm tự chấm"
A_COMPUTED = "Điểm tính từ số liệu"
A_COUNTED = "Điểm đang tính"
A_APPRAISED = "Điểm thẩm định"
A_NOTE = "Ghi chú thẩm định"
APPRAISAL_HEADERS = (A_UNIT, A_UNIT_NAME, A_CODE, A_CONTENT, A_MAX, A_SELF, A_COMPUTED, A_COUNTED, A_APPRAISED, A_NOTE)
# What the reader needs; the other columns are for the appraiser's eyes.
APPRAISAL_READ_HEADERS = (A_UNIT, A_CODE, A_APPRAISED, A_NOTE)

# The council workbook (Hội đồng Thi đua - Khen thưởng): the council's votes, read back like the appraisal.
COUNCIL_SHEET = "Biểu quyết"
COUNCIL_VERSION = 1

C_NO = "STT"
C_AWARD = "Hình thức khen thưởng"
C_KIND = "Đối tượng"
C_UNIT = "Mã đơn vị"
C_NAME = "Họ và tên (tên tập thể)"
C_BIRTH = "Năm sinh"
C_ELIGIBLE = "Kết quả xét"
C_REASONS = "Căn cứ xét"
C_STATE = "Dự kiến"
C_NOTE = "Ghi chú"
C_PRESENT = "Số thành viên có mặt"
C_VOTES = "Số phiếu đồng ý"
C_DECISION = "Quyết định của Hội đồng"
COUNCIL_HEADERS = (C_NO, C_AWARD, C_KIND, C_UNIT, C_NAME, C_BIRTH, C_ELIGIBLE, C_REASONS, C_STATE, C_NOTE, C_PRESENT, C_VOTES, C_DECISION)
# What the reader needs; the other columns are for the council's eyes.
COUNCIL_READ_HEADERS = (C_AWARD, C_KIND, C_UNIT, C_NAME, C_BIRTH, C_PRESENT, C_VOTES, C_DECISION)
KIND_TEXTS = {"collective": "Tập thể", "individual": "Cá nhân"}
