"""Two stories of the demo's approval cases, told apart from the rest (``approvals.py``,
whose ``ApprovalsBuilder`` they are part of): an item the city delegates to the district
(下放), and whose days (SPEC §20) — a case late while waiting for another department's
prerequisite, one answered late by the higher authority, one that waited at the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemLevel
from zhaoshang.core.roles import Role
from zhaoshang.demo import names as N
from zhaoshang.demo.replay import moment

if TYPE_CHECKING:
    from zhaoshang.demo.approvals import Story

DATA = N.load("approvals")


class StoriesMixin:
    """``ApprovalsBuilder``'s delegated item and whose-days examples."""

    def _delegate(self, world) -> None:
        """The city delegates an item to the district (下放) the working day after the last
        application it received for it (its cases planned until then run on the law's
        limit): the district approves it from then on, promised under the special procedure
        (SPEC §20). Cases already registered keep the limit they were registered with and
        stay with the city — the demo's 取水许可 accepted these weeks are due in next year,
        whose holiday arrangement is not yet published (暂定)."""
        for code, up in DATA["delegated"].get(world.spec.code, {}).items():
            item = world.items[code]
            registered = [s.registered for s in self.stories if s.world is world and s.item is item]
            day = min(self.cal.after(max(registered, default=self.last), 1), self.today)

            def delegate(item=item, up=up):
                services.update_item(
                    world.role_users[Role.ADMIN],
                    item,
                    level=ItemLevel.DISTRICT,
                    special_procedure=True,
                    time_limit=up["promised_limit"],
                )
                item.refresh_from_db()

            self.line.add(moment(day, 8, 40), delegate)

    def _whose_days(self, world) -> None:
        """Whose days (SPEC §20), one example each among the demo district's done cases,
        rewritten in place (``data["whose_days"]``; each done no later than planned, so the
        cases needing it keep their dates): 用地预审 of a green-channel project waiting for
        备案 — late, and 发改局 answers, not 国土局; 环评 answered late by the higher
        authority — nobody in the district answers; an application that waited at the window
        — the service center answers."""
        cal, spec = self.cal, DATA["whose_days"]
        stories = [s for s in self.stories if s.world is world]
        by_project: dict[int, dict[str, Story]] = {}
        for s in stories:
            by_project.setdefault(s.project.pk, {})[s.code] = s
        plain = {
            services.mark_materials_complete,
            services.accept_case,
            services.start_handling,
            services.complete_case,
            services.report_upward,
        }
        done = [
            s
            for s in stories
            if s.scenario == "done"
            and s.done_on
            and all(step[1] != self._play or step[3] in plain for step in s.steps)
        ]

        def rewrite(s: Story, mc, accepted, done_on, reported=None, answer="") -> None:
            s.steps = [step for step in s.steps if step[1] != self._play]
            s.handler, s.done_on = world.handlers[s.item.department_id], done_on
            if s.applied:  # complete at the window: recorded at registration
                by = s.agent or s.registrar
                s.steps.append(
                    (s.registered, self._play, s, services.mark_materials_complete, by, {"on": mc})
                )
            else:
                self._materials(s, mc)
            self._step(s, accepted, services.accept_case)
            if reported:
                self._step(s, reported, services.report_upward, to=N.REPORTED_TO)
            self._step(s, done_on, services.complete_case, answer=answer)

        wait = spec["waiting"]
        for s in done:
            first = by_project[s.project.pk].get(wait["prerequisite"])
            if s.code != wait["code"] or s.after is None or not (first and first.done_on):
                continue
            mc, done_on = (
                cal.before(first.done_on, wait["waited"]),
                cal.after(first.done_on, wait["own"]),
            )
            if s.registered <= mc and done_on <= min(s.done_on, self.last):
                rewrite(s, mc, cal.after(first.done_on, 1), done_on)
                break
        up = spec["reported"]
        for s in done:
            if s.code != up["code"]:
                continue
            mc = cal.before(s.done_on, s.item.time_limit + up["late_by"])
            if mc >= cal.on_or_after(s.earliest):
                answer = N.HIGHER_ANSWERS.format(authority=N.REPORTED_TO, year=s.done_on.year, n=88)
                rewrite(s, mc, mc, s.done_on, reported=cal.after(mc, up["own"]), answer=answer)
                break
        late = spec["registration"]
        for s in done:
            if s.after is not None or s.code in (wait["code"], up["code"]):
                continue
            # The day it was registered becomes the day it reached the window, complete;
            # the service center registers it ``waited`` working days later.
            applied = cal.on_or_after(s.registered)
            registered = cal.after(applied, late["waited"])
            done_on = cal.after(registered, late["own"])
            if done_on <= min(s.done_on, self.last):
                s.applied, s.registered = applied, registered
                s.steps = [(registered, self._register, s)]
                rewrite(s, applied, registered, done_on)
                break
