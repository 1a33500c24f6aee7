"""`python -m tui` runs the `quiz` command."""

from tui.cli import main

raise SystemExit(main())
