"""A project plan's money and progress: the share of its investment completed by a day (from
its stage dates), the funds in place month by month, and the monthly reports with their
image progress (形象进度) and site photo. Mixed into ``projects.ProjectsReplay``."""

from __future__ import annotations

import datetime
import zlib
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile

from zhaoshang.demo import names as N
from zhaoshang.demo.files import tiny_png
from zhaoshang.demo.world import PACE
from zhaoshang.projects import services
from zhaoshang.projects.choices import (
    REPORTING_STAGES,
    STAGE_INDEX,
    STAGE_ORDER,
    Condition,
    FundsOrigin,
    FundsUse,
    ProjectKind,
    Stage,
    TeamRole,
)

# Share of the total investment completed when a stage is reached, and the days a project
# usually needs from a stage to the next (for the investment curve of the present stage).
INVESTMENT_SHARE = PACE["INVESTMENT_SHARE"]
EXPECTED_DAYS = PACE["EXPECTED_DAYS"]
ORIGINS = PACE["ORIGINS"]
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def round_to(value: float, step: int) -> Decimal:
    return money(max(step, round(value / step) * step))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


class ProgressMixin:
    """The funds and monthly reports of a plan, as steps for the replay."""

    def curve(self, plan):
        """Share of the total investment completed by a day, from the stage dates."""
        dates = plan.dates()
        points = sorted((dates[s], INVESTMENT_SHARE[s]) for s in REPORTING_STAGES if s in dates)
        main = [s for s in STAGE_ORDER if s in dates]
        last = main[-1] if main else None
        following = STAGE_ORDER[STAGE_INDEX[last] + 1] if last and last != Stage.CAPACITY else None
        freeze = plan.stop_on or dates.get(Stage.EXITED)
        pace = 0.5 if plan.condition == Condition.DELAYED else 1.0

        def share(day: datetime.date) -> float:
            if freeze and day > freeze:
                day = freeze
            if not points or day < points[0][0]:
                return 0.0
            for (d0, f0), (d1, f1) in zip(points, points[1:], strict=False):
                if day <= d1:
                    return f0 + (f1 - f0) * (day - d0).days / max(1, (d1 - d0).days)
            d_last, f_last = points[-1]
            if following is None or last not in EXPECTED_DAYS:
                return f_last
            progress = min((day - d_last).days * pace / EXPECTED_DAYS[last], 0.9)
            return f_last + (INVESTMENT_SHARE[following] - f_last) * progress

        return share

    def _end(self, plan) -> datetime.date:
        dates = plan.dates()
        return min(
            self.today - datetime.timedelta(days=1),
            plan.stop_on or self.today,
            dates.get(Stage.EXITED, self.today) - datetime.timedelta(days=1),
        )

    def _funds(self, plan) -> list[tuple[datetime.date, tuple]]:
        """The funds in place month by month, following the investment curve."""
        rng = self.rng
        dates = plan.dates()
        signed, production = dates[Stage.SIGNED], dates.get(Stage.PRODUCTION)
        origin = ORIGINS[plan.enterprise.origin if plan.enterprise else "local"]
        share, ratio, total = self.curve(plan), rng.uniform(0.95, 1.12), float(plan.total)
        end = self._end(plan)
        entries, funded, month = [], 0.0, signed.replace(day=1)
        while month <= end:
            target = min(total, total * (share(min(month_end(month), end)) * ratio + 0.02))
            gap = target - funded
            # (the first money arrives in the first month with a gap, whatever the draw)
            if gap > total * 0.015 and (rng.random() < 0.65 or not entries):
                day = max(month + datetime.timedelta(days=rng.randint(2, 26)), signed)
                # (rounded, but never past the total investment)
                amount = min(round_to(gap, 10) if gap >= 100 else money(gap), money(total - funded))
                if day <= end and amount > 0:
                    working = production is not None and day >= production and rng.random() < 0.5
                    data = {
                        "received_on": day,
                        "amount": amount,
                        "origin": origin if rng.random() < 0.8 else rng.choice(list(FundsOrigin)),
                        "use": FundsUse.WORKING_CAPITAL if working else FundsUse.FIXED_ASSETS,
                        "note": rng.choice(N.FUNDS_NOTES),
                    }
                    stamp = min(day + datetime.timedelta(days=rng.randint(0, 3)), end)
                    entries.append((stamp, (self._actor(plan, stamp), data)))
                    funded += float(amount)
            month = add_months(month, 1)
        return entries

    def _months(self, plan) -> list[datetime.date]:
        dates = plan.dates()
        this_month = self.today.replace(day=1)
        first = max(add_months(dates[Stage.SIGNED], 1), add_months(this_month, -24))
        last = add_months(this_month, -1)
        if Stage.EXITED in dates:
            last = min(last, add_months(dates[Stage.EXITED], -1))
        months, month = [], first
        while month <= last:
            months.append(month)
            month = add_months(month, 1)
        return months

    def _reports(self, plan, funds) -> list:
        """The monthly reports, filed by the 5th of the next month (a few late)."""
        months = self._months(plan)
        if not months:
            return []
        rng, today = self.rng, self.today
        share, total = self.curve(plan), float(plan.total)
        base = total * share(min(month_end(add_months(months[0], -1)), today))
        raw, previous = [], base
        for month in months:
            value = total * share(min(month_end(month), today))
            raw.append(max(0.0, value - previous))
            previous = value
        noisy = [r * rng.uniform(0.7, 1.3) for r in raw]
        scale = sum(raw) / sum(noisy) if sum(noisy) else 0
        by_month = defaultdict(Decimal)
        for _stamp, (_who, data) in funds:
            by_month[data["received_on"].replace(day=1)] += data["amount"]
        # Cumulative figures are rounded once and the month's figure is their difference,
        # so that cumulative = previous cumulative + this month, to the cent.
        previous_total, running = money(base), base
        delayed = plan.condition != Condition.NORMAL
        steps = []
        for month, amount in zip(months, noisy, strict=True):
            running += amount * scale
            cumulative = money(running)
            this, previous_total = cumulative - previous_total, cumulative
            end_day = min(month_end(month), today)
            text = self.progress_text(plan, plan.stage_on(end_day), end_day, share(end_day))
            problem = rng.choice(N.PROBLEMS) if rng.random() < (0.35 if delayed else 0.12) else ""
            if delayed and month == months[-1]:
                problem = plan.condition_reason
            if delayed and month == months[-1] and rng.random() < 0.5:
                continue  # a delayed project whose last report is still missing
            late = rng.random() < 0.06
            day = add_months(month, 1).replace(
                day=rng.randint(6, 14) if late else rng.randint(1, 5)
            )
            if day >= today or day >= plan.dates().get(Stage.EXITED, today):
                continue  # not filed yet (due by the 5th), or never: the project left
            data = {
                "month": month,
                "investment_this_month": this,
                "investment_cumulative": cumulative,
                "funds_this_month": by_month.get(month, Decimal("0.00")),
                "image_progress": text,
                "problems": problem,
            }
            steps.append([day, plan, data, None])
        if steps and plan.stage in (Stage.STARTED, Stage.COMPLETED, Stage.LAND_DELIVERED):
            latest = steps[-1]
            progress = share(latest[2]["month"]) if plan.stage != Stage.LAND_DELIVERED else 0.0
            latest[3] = tiny_png(progress, zlib.crc32(plan.name.encode()))
        return [(day, self._report(plan, data, photo)) for day, plan, data, photo in steps]

    def progress_text(self, plan, stage: str, day: datetime.date, share: float) -> str:
        """The image progress (形象进度) a report of ``day`` tells, following the stage."""
        rng, texts = self.rng, N.PROGRESS_TEXTS
        infra = plan.kind == ProjectKind.INFRASTRUCTURE
        if plan.stop_on and day > plan.stop_on:
            return texts["stopped"]
        if infra and stage in (Stage.PRODUCTION, Stage.CAPACITY):
            return texts["infra_running"]
        entered = max(
            (e.on for e in plan.events if e.to_stage == stage and e.on <= day), default=day
        )
        elapsed = (day - entered).days / EXPECTED_DAYS.get(stage, 180)
        if stage == Stage.STARTED:
            works = max(0.0, min(1.0, (share - INVESTMENT_SHARE[Stage.STARTED]) / 0.75))
            steps = texts["infra_started" if infra else "started"]
            options = next(t for upper, t in steps if works < upper)
            pct = max(5, min(95, round(works * 20) * 5))
        elif stage == Stage.LAND_DELIVERED and (day - entered).days > 90:
            options = (
                texts["idle_land"][1:] if (day - entered).days > 180 else texts["idle_land"][:1]
            )
            pct = 0
        else:
            key = f"infra_{stage}" if infra and f"infra_{stage}" in texts else stage
            if key not in texts:
                return texts["signed"][0]
            options = texts[key]
            if not key.endswith("capacity"):
                # the texts run in the order of the work: pick by the time spent in the stage
                options = [options[min(len(options) - 1, int(elapsed * len(options)))]]
            pct = rng.randint(6, 18) * 5
            if stage == Stage.PRODUCTION:
                pct = min(95, 50 + round(min(elapsed, 1.0) * 9) * 5)
            elif stage == Stage.COMPLETED:
                pct = min(95, 40 + round(min(elapsed, 1.0) * 11) * 5)
        monthly = float(plan.output or 0) / 12
        value = (
            monthly * pct / 100 if stage == Stage.PRODUCTION else monthly * rng.uniform(0.95, 1.15)
        )
        return rng.choice(options).format(pct=pct, value=int(round(value, -1)))

    def _report(self, plan, data, photo):
        who = plan.team[TeamRole.SECRETARY]

        def file():
            photos = [ContentFile(photo, name="progress-1.png")] if photo else []
            report = services.submit_monthly_report(who, plan.project, data, photos)
            if photos:
                self.b.written_files.extend(report.photos.values_list("image", flat=True))

        return file
