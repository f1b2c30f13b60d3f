"""Entry point for `celery -A services.router.worker:app worker|beat` (compose, Flower)."""

from services.router.celery_app import create_celery

app = create_celery()
