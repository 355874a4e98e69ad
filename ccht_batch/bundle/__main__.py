"""Allow ``python -m ccht_batch.bundle``."""

from ccht_batch.cli.bundle import main

raise SystemExit(main())
