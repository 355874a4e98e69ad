"""The workbooks people fill: the units' self-assessment template, the Office's appraisal workbook, their
shared layout (a contract other programs read), and a filler that writes into a template as a unit would.
"""
