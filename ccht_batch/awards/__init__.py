"""Award eligibility (checks over the period and the yearly history) and selection onto the lists.
"""
