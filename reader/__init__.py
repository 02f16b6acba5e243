"""Claim Reader: highlight the claims in what you read and attach their sources."""

__version__ = "0.1.0"
