"""How far a running import has got, readable from another process while the import's
transaction is still open (the page polls it while a background task writes).

Not a database row: on SQLite a writer inside a long transaction would hold the progress
back until it commits (or lock the reader out). With Redis as the cache (``REDIS_URL``)
the progress is a cache key; otherwise a small JSON file under
``MEDIA_ROOT/imports/progress/<batch id>.json``, replaced atomically (``os.replace``), so a
reader sees the old or the new state, never half of one.

Writes are throttled: at most one every half second unless the count moved by 1 % of the
total since the last write; the first, the last (done == total) and a change of phase are
always written.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from zhaoshang.core import clock

MIN_INTERVAL = 0.5  # seconds between two writes …
MIN_STEP = 0.01  # … unless the count moved by this share of the total
CACHE_TIMEOUT = 24 * 3600  # a finished import's last state stays a day

# batch id → (monotonic time, done, phase) of the last write in this process.
_last: dict[int, tuple[float, int, str]] = {}
_lock = threading.Lock()


def _uses_redis() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return backend.endswith("RedisCache")


def _key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def progress_name(batch_id: int) -> str:
    """The batch's progress file, as the media storage names it (without Redis)."""
    return f"imports/progress/{int(batch_id)}.json"


def progress_path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / progress_name(batch_id)


def _due(batch_id: int, done: int, total: int, phase: str) -> bool:
    """Whether this state should be written now (the throttle), noting it if so."""
    now = time.monotonic()
    with _lock:
        last = _last.get(batch_id)
        if last is not None and done < total and phase == last[2]:
            moved = done - last[1]
            if now - last[0] < MIN_INTERVAL and moved < max(1, total * MIN_STEP):
                return False
        _last[batch_id] = (now, done, phase)
        return True


def set_progress(batch_id: int, done: int, total: int, phase: str = "", *, force=False) -> bool:
    """Record that ``done`` of ``total`` rows are through ``phase`` ("checking",
    "importing", …); returns whether it was written (see the throttle above)."""
    done, total = int(done), int(total)
    if not force and not _due(batch_id, done, total, phase):
        return False
    data = {
        "done": done,
        "total": total,
        "phase": phase,
        "percent": min(100, round(100 * done / total)) if total else 0,
        "updated_at": clock.now().isoformat(),
    }
    if _uses_redis():
        caches["default"].set(_key(batch_id), data, CACHE_TIMEOUT)
        return True
    path = progress_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def get_progress(batch_id: int) -> dict | None:
    """The last state written for the batch ({"done", "total", "phase", "percent",
    "updated_at"}), or None when none was (or it was cleared)."""
    if _uses_redis():
        return caches["default"].get(_key(batch_id))
    try:
        return json.loads(progress_path(batch_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def clear_progress(batch_id: int) -> None:
    """Forget the batch's progress (its run ended and the batch row says how)."""
    with _lock:
        _last.pop(batch_id, None)
    if _uses_redis():
        caches["default"].delete(_key(batch_id))
    else:
        progress_path(batch_id).unlink(missing_ok=True)
