"""The top bar groups the pages by work (SPEC §1): project service and supervision each in
one menu, so that a district-wide role's bar stays one line; a group with one entry for a
role is shown as that entry."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation


def _bar(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html.split('id="zs-nav"')[1].split('<ul class="navbar-nav align-items-lg-center">')[0]


def _menus(bar: str) -> list[str]:
    return [part.split("</ul>")[0] for part in bar.split("data-nav-group")[1:]]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_supervision_office_has_its_pages_in_one_menu(client_for):
    bar = _bar(client_for("supervisor"))
    menus = _menus(bar)
    supervision = next(m for m in menus if reverse("monitoring:board") in m)
    for name in ("meetings:board", "complaints:list", "inspections:list", "exits:list"):
        assert reverse(name) in supervision, name
    # The top level stays short.
    top = bar.count('<li class="nav-item">') + bar.count('<li class="nav-item dropdown">')
    assert top <= 8


def test_a_department_handler_reaches_what_concerns_its_department(client_for):
    bar = _bar(client_for("department"))
    assert f'href="{reverse("complaints:list")}?mine=1"' in bar
    assert f'href="{reverse("inspections:list")}?mine=1"' in bar
    assert reverse("meetings:worklist") in bar


def test_a_group_of_one_is_shown_as_its_entry(client_for):
    bar = _bar(client_for("service_center"))
    # The service center has one project-service page (the problem list): no menu for it.
    assert f'href="{reverse("service:needs")}"' in bar
    assert all(reverse("service:needs") not in m for m in _menus(bar))


def test_the_current_page_marks_its_menu(client_for):
    client = client_for("supervisor")
    html = client.get(reverse("complaints:list")).content.decode()
    assert 'dropdown-toggle active"' in html
    assert 'class="dropdown-item active"' in html


@pytest.mark.parametrize(
    ("who", "screen", "gantt"),
    [
        ("leader", True, True),
        ("bureau", True, True),
        ("supervisor", True, True),
        ("admin", True, True),
        ("city", True, True),
        ("park", False, True),
        ("department", False, False),
        ("service_center", False, False),
    ],
)
def test_the_big_screen_and_the_gantt_are_offered_to_those_who_steer(
    client_for, who, screen, gantt
):
    """The big screen (驾驶舱) and the key projects' Gantt in the bar of the roles that steer
    the district (each opens for them: ``test_permission_matrix``); the others reach the
    screen from the district map."""
    bar = _bar(client_for(who))
    assert (f'href="{reverse("screen")}"' in bar) == screen
    assert (f'href="{reverse("agreements:key_gantt")}"' in bar) == gantt
    if screen:
        assert client_for(who).get(reverse("screen")).status_code == 200
    if gantt:
        assert client_for(who).get(reverse("agreements:key_gantt")).status_code == 200


# The menu as base.html drew it with template loops before ``{% nav_menu %}`` (issue 19.2):
# the tag must draw the same bytes.
_LOOP = (
    "{% load zs %}{% for label, href, icon, children in nav_items %}\n        {% if children %}\n"
    '        <li class="nav-item dropdown">\n          <a class="nav-link dropdown-toggle'
    "{% for c_label, c_href, c_icon, c_path in children %}{% if request.path|startswith:c_path %}"
    ' active{% endif %}{% endfor %}" href="#" role="button" data-bs-toggle="dropdown"'
    ' aria-expanded="false"><i class="bi {{ icon }} me-1" aria-hidden="true"></i>{{ label }}</a>\n'
    '          <ul class="dropdown-menu" data-nav-group>\n            '
    '{% for c_label, c_href, c_icon, c_path in children %}<li><a class="dropdown-item'
    '{% if request.path|startswith:c_path %} active{% endif %}" href="{{ c_href }}">'
    '<i class="bi {{ c_icon }} me-1" aria-hidden="true"></i>{{ c_label }}</a></li>{% endfor %}\n'
    "          </ul>\n        </li>\n        {% else %}\n"
    '        <li class="nav-item"><a class="nav-link{% if request.path == href or href not in'
    ' nav_exact and request.path|startswith:href %} active{% endif %}" href="{{ href }}">'
    '<i class="bi {{ icon }} me-1" aria-hidden="true"></i>{{ label }}</a></li>\n'
    "        {% endif %}\n        {% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_drawn_menu_is_the_template_loops_menu(world, language):
    from django.template import engines
    from django.test import RequestFactory

    from zhaoshang.dashboard.context_processors import navigation

    engine = engines["django"]
    loop, tag = engine.from_string(_LOOP), engine.from_string("{% load zs_nav %}{% nav_menu %}")
    paths = ["/", reverse("projects:list"), reverse("complaints:list"), reverse("monitoring:board")]
    paths += [reverse("meetings:board"), reverse("portal:home"), "/nowhere/"]
    users = [getattr(world, name) for name in world.names("user_")]
    with translation.override(language):
        for user in users:
            for path in paths:
                request = RequestFactory().get(path)
                request.user = user
                context = navigation(request)
                assert tag.render(context, request) == loop.render(context, request), (user, path)
