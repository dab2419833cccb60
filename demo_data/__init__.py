"""Deterministic demo data: linked social, support, feedback, CRM and journey exports in their real shapes."""

from demo_data.generate import generate

__all__ = ["generate"]
