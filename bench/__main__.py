"""``python -m bench [--database URL] [--rows N] [--sample N] [--keep]``"""

from __future__ import annotations

import sys

from bench.workdays import main

if __name__ == "__main__":
    sys.exit(main())
