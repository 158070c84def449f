"""The portal's permission matrix, one module per area (``test_permission_matrix.py``
joins them). Each module defines:

- ``ROUTES``: {route name: (kind of object in the URL or None, needs, method)};
- ``build(world) -> dict``: the area's objects, built once per module (``{target: obj}``
  for each kind; targets "in" = enterprise1_a's, "out" = enterprise2_a's, "other" = the
  other district's);
- ``url(objects, route, target) -> str`` (``objects`` is what ``build`` returned);
- optionally ``expected(who, route, target) -> int | None`` (None: the portal's rule).

The portal's rule (``default_expected``): only the enterprise's own contact ("enterprise",
enterprise1_a's user) gets in; every other person gets 403; the contact gets 404 for
another enterprise's record ("out", "other"); a page answers 200 and an empty POST is
refused with 400 and changes nothing."""
