"""Plain pieces every stage shares: the records passed between stages, the issue catalogue, strict value
parsing, periods, the closed vocabularies, the working folder's lock and files. Imports nothing above it.
"""
