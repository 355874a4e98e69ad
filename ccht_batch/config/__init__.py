"""The configuration: three YAML files turned into typed, immutable objects (``model``), loaded and
checked with every problem reported by file, line and key (``load``, ``parse``, ``awards``), and the
working folder a clerk starts from (``workdir``).
"""
