"""From ``input/`` to records: which files are submissions, safe opening of untrusted files, reading them
(in worker processes), and validation of their cells into ``Submission``/``Appraisal`` records with issues.
"""
