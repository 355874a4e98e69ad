"""The library's own exceptions. Each says, in Vietnamese, what went wrong and what to do; the command
line maps them to exit codes (DESIGN.md §9) and nothing else decides one."""

from __future__ import annotations


class UsageError(Exception):
    """Wrong usage found after parsing (a period, a unit code, a milestone...): nothing was done (exit 2)."""


class CannotRun(Exception):
    """The work could not be done, for a reason the message states with what to do (an output folder held
    open by Excel...): nothing committed (exit 3). The message is shown as it is: an ``OSError`` is worded
    from its error number alone, which would lose it."""


class LockHeld(CannotRun):
    """Another command holds the working folder's lock: nothing done (exit 3)."""
