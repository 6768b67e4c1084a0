"""Clasificador de iris: del notebook a producción."""

__version__ = "0.1.0"
