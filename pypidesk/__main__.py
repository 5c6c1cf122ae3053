"""Allow ``python -m pypidesk``; the GUI's local index is started this way."""

from pypidesk.cli import main

raise SystemExit(main())
