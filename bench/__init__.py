"""Benchmarks, run on demand (``make bench`` = ``python -m bench``), never by ``make test``.

``python -m bench`` measures the working-day calendar on 1,000,000 case-like rows: due dates
and working days left computed in SQL with the working-day index (what the worklists, sorting
and scans run) and in Python with ``workdays.services.add_workdays`` per row, each as a ratio
to a plain SQL pass over the same rows without the calendar. See ``bench/workdays.py``.
"""
