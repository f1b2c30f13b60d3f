"""Celery tasks of the router: one module per job, all sharing the policy in `policy.py`."""
