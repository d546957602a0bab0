"""Workstation: the desktop workstation for e-commerce after-sales service."""

__version__ = "0.1.0"
