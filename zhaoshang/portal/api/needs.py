"""Portal API: needs."""


def register(router) -> None:
    """Add this area's resources to the portal router."""
