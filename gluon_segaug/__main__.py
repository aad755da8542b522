"""``python -m gluon_segaug``: the command line (see ``gluon_segaug.cli``)."""
from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
