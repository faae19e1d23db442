"""multilevel: reproducible comparisons of the ways of analysing nested data."""

__version__ = "0.1.0"
