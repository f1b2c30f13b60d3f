"""Flask pieces both services use: health, metrics, error bodies, security headers."""
