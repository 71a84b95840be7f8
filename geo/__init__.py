"""Territorial units, perimeters and their checks: the domain, free of any interface."""
