"""ccht-batch: the monthly batch of an administrative-reform emulation movement.

The package is a library first; ``ccht_batch.cli`` is a thin layer over it.
"""

__version__ = "0.1.0"
