"""Zhaoshang 招商: the investment-promotion project service platform of a district government."""
