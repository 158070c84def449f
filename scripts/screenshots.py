"""Screenshots of the main pages of a running demo, to look at what users see.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 out-dir [user:path ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DEFAULT = [
    "bureau:/",
    "bureau:/projects/",
    "bureau:/projects/?q=ldc",
    "bureau:/enterprises/",
    "city:/",
    "leader:/",
    "park:/projects/",
    "enterprise:/portal/",
]


def main() -> None:
    base, out = sys.argv[1], Path(sys.argv[2])
    shots = sys.argv[3:] or DEFAULT
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        pages = {}
        for i, shot in enumerate(shots):
            user, path = shot.split(":", 1)
            if user not in pages:
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 1366, "height": 900}
                )
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", "Demo@2026")
                page.click("button[type=submit]")
                page.wait_for_load_state()
                pages[user] = page
            page = pages[user]
            page.goto(f"{base}{path}")
            page.wait_for_load_state()
            name = f"{i:02d}-{user}-{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}.png"
            page.screenshot(path=str(out / name), full_page=True)
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()
