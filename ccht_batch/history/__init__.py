"""The years the award rules look back on: the history workbook, its import, and close-year.
"""
