"""Shared ways of building workbooks with xlsxwriter, and the fast writer for large table bodies.
"""
