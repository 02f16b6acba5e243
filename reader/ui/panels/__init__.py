"""Dock panels: annotations sidebar, annotation editor, browsers."""
