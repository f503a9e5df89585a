"""``python -m spoc_lsp``: the same as the ``spoc-lsp`` command."""

from spoc_lsp.cli import main

raise SystemExit(main())
