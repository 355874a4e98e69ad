"""The official-document layer: Decree 30/2020/NĐ-CP, Phụ lục I, written once for every signable output.

``text`` holds the decree's facts (fonts, sizes, margins, the Quốc hiệu and Tiêu ngữ, dates, decisions);
``naming`` how the agency and its units are named on a page; ``xlsx`` the official sheet (the nomination
lists); ``docx`` the official Word document (the report, the dossier's documents).
"""
