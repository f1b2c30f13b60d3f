"""Tipline router: workers that decide where each tip goes, and the team queue API and console."""
