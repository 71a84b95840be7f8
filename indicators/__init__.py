"""Indicators of a perimeter against its references, and the figures that show them."""
