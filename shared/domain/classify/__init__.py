"""Classifying a tip: category and flags, driven by the taxonomy rules file."""

from shared.domain.classify.classifier import classify
from shared.domain.classify.taxonomy import Taxonomy

__all__ = ["Taxonomy", "classify"]
