"""``python -m bench [--database URL] [--rows N] [--sample N] [--keep]`` — the working-day
calendar; ``python -m bench scan [--projects 10000,100000]`` — the daily scan;
``python -m bench summary [--projects 20000]`` — the monthly summary;
``python -m bench demo [--runs 3]`` — load_demo part by part;
``python -m bench pages [--database FILE] [--scale 10]`` — the flat pages at 1× and 10×;
``python -m bench import [--rows 500,5000] [--repeat 3]`` — a district's ledger imported
through the onboarding path (read, check, import, undo)."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["summary"]:
        from bench.summary import main as summary_main

        sys.exit(summary_main(sys.argv[2:]))
    if sys.argv[1:2] == ["demo"]:
        from bench.demo import main as demo_main

        sys.exit(demo_main(sys.argv[2:]))
    if sys.argv[1:2] == ["pages"]:
        from bench.pages import main as pages_main

        sys.exit(pages_main(sys.argv[2:]))
    if sys.argv[1:2] == ["import"]:
        from bench.imports import main as import_main

        sys.exit(import_main(sys.argv[2:]))
    if sys.argv[1:2] == ["scan"]:
        from bench.scan import main as scan_main

        sys.exit(scan_main(sys.argv[2:]))
    from bench.workdays import main

    sys.exit(main())
