"""The only package (besides reader.app) that imports PySide6."""
