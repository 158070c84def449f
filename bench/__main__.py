"""``python -m bench [--database URL] [--rows N] [--sample N] [--keep]`` — the working-day
calendar; ``python -m bench NAME [options]`` runs ``bench/NAME.py``'s ``main(argv)``:

- ``scan [--projects 10000,100000]`` — the daily scan;
- ``summary [--projects 20000]`` — the monthly summary;
- ``demo [--runs 3]`` — load_demo part by part;
- ``pages [--database FILE] [--scale 10]`` — the flat pages at 1× and 10×;
- ``http [--database URL] [--requests N]`` — pages and API lists under gunicorn against a
  minimal Django project, and the workers' memory;
- ``import [--rows 500,5000] [--repeat 3]`` — a district's ledger imported through the
  onboarding path (read, check, import, undo);
- the others each module's docstring describes (``python -m bench NAME --help``)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

# Subcommands whose module is not named after them.
ALIASES = {"import": "imports"}


def _main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    module = ALIASES.get(name, name)
    if re.fullmatch(r"[a-z_]+", module or "") and (Path(__file__).parent / f"{module}.py").exists():
        return importlib.import_module(f"bench.{module}").main(sys.argv[2:])
    from bench.workdays import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
