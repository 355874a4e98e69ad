"""Allow ``python -m ccht_batch``."""

from ccht_batch.cli.main import main

raise SystemExit(main())
