"""How the agency and its people are named on signable pages, from ``units.yaml``.

A list that leaves the agency (sent up with a tờ trình) names the agency and province after every
collective and every person's unit: "Phòng Quản lý Khoa học, Sở Khoa học và Công nghệ tỉnh Lâm Đồng";
a unit whose name ends with the agency's kind ("Văn phòng Sở") takes the agency's name in its place:
"Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng".
"""

from __future__ import annotations

from ccht_batch.config.model import QUYET_DINH, Config


def outward_name(config: Config, unit_name: str) -> str:
    """``unit_name`` as a body outside the agency reads it."""
    full = config.agency.full_text_name
    kind = full.split(" ", 1)[0]  # "Sở"
    if unit_name.endswith(" " + kind) and full.startswith(kind + " "):
        return unit_name[: -len(kind)] + full
    return f"{unit_name}, {full}"


def leaves_agency(config: Config, award_id: str) -> bool:
    form = config.documents.form(award_id)
    return form is not None and form.leaves_agency


def unit_label(config: Config, award_id: str, unit_name: str) -> str:
    """A unit's name on the list of ``award_id``: with the agency and province when the list leaves it."""
    return outward_name(config, unit_name) if leaves_agency(config, award_id) else unit_name


def attachment_line(config: Config, award_id: str, year: int) -> str:
    """The line under a list's title naming the document it goes with ("Kèm theo Tờ trình số …"), with the
    number and date left for the registry; "" when ``units.yaml`` names no document for the form."""
    form = config.documents.form(award_id)
    if form is None:
        return config.agency.submission_line.replace("{year}", str(year))
    issuer = config.agency.text_name
    if form.kind == QUYET_DINH:
        issuer = f"{config.documents.head_title} {issuer}"
    return f"(Kèm theo {form.kind_name} số        /{form.symbol} ngày      tháng      năm {year} của {issuer})"
