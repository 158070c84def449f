"""``/api/v1/portal/``: the service hall for an enterprise's own systems. Every resource
is scoped to the caller's enterprise (``base.PortalViewSet``); each area registers its
resources in its own module (``register(router)``), joined in ``router.py``."""
