"""SPARCS Engage: citizen engagement for the energy transition of the SPARCS cities."""

__version__ = "0.1.0"
