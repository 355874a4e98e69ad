"""The period as pandas tables: the criteria from the YAML, the input cells of every file (*entries*), the
issues found in them, and the helpers every table stage shares.

From the moment the reading children have returned their raw values, a run works on tables (DESIGN.md §2):
value validation (``intake.values``), scoring and ranking (``scoring``), the outputs (``outputs.frames``) and
the analyst's API (``ccht_batch.open_workdir``). pandas is imported by these modules only: the reading
children, ``--help``, ``check`` and ``mail`` never load it.

Numbers that count stay exact: scores are ``Decimal`` objects in object columns (summed by ``groupby``, never
as floats), counts Python integers, ratios compared by cross-multiplication.
"""
