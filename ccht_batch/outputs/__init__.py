"""Everything a run writes: the consolidated workbook, the nomination lists, each unit's feedback and
``summary.json``.
"""
