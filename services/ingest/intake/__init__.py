"""Accepting tips: the phone system's JSON API and the shared storing service."""
