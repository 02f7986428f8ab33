"""matcher: rank resumes against job postings and explain the ranking."""

from __future__ import annotations

__version__ = "0.1.0"
