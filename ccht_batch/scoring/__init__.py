"""Scores, results, bands and ranks of the units for a period (DESIGN.md §6).
"""
