"""factsheets: trusted cancer-information pages turned into one-page patient handouts."""

__version__ = "0.1.0"
