"""Hashing of keys and tokens, and encryption of reporters' contact details at rest."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet

from shared.config import Settings


def new_token(prefix: str) -> str:
    """A new high-entropy secret such as an API key or staff token."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token; safe to store and look up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def fernet_for(contact_key: str | None, secret_key: str) -> Fernet:
    """The Fernet cipher for contact details: the configured key, or one derived from the secret."""
    if contact_key:
        return Fernet(contact_key.encode())
    derived = hashlib.sha256(b"tipline-contact:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def contact_cipher(settings: Settings) -> Fernet:
    """The cipher for reporters' contact details under these settings."""
    key = settings.contact_key.get_secret_value() if settings.contact_key else None
    return fernet_for(key, settings.secret_key.get_secret_value())


def encrypt_json(cipher: Fernet, data: dict[str, Any]) -> str:
    """Encrypt a small JSON object to a text token."""
    return cipher.encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(cipher: Fernet, token: str) -> dict[str, Any]:
    """Decrypt a token made by encrypt_json."""
    value: dict[str, Any] = json.loads(cipher.decrypt(token.encode()))
    return value
