"""Allow ``python -m ccht_batch``."""

from ccht_batch.cli import main

raise SystemExit(main())
