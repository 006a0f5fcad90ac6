"""``python -m cicclo``: the same command line as ``cicclo``."""

from cicclo.cli import main

raise SystemExit(main())
