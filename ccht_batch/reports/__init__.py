"""The movement's report to the Province for a year or a review, as a workbook and a Word document.
"""
