"""The command line: argument parsing, what the clerk sees on screen, and exit codes. Nothing below imports it.
"""
