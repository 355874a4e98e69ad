"""The embedded SQLite store: schema and migrations, and what each stage reads from and writes to it.
"""
