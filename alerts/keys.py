"""The VAPID key pair that signs every push: made in instance/ on first use, never in
the code or the repository. Browsers subscribe with its public half."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid


def key_path() -> Path:
    """VAPID_KEY_FILE, or instance/vapid_private.pem."""
    configured = current_app.config.get("VAPID_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "vapid_private.pem"


def _write_new(path: Path, replace: bool) -> None:
    """A new P-256 key, written whole under another name and then moved into place, so
    server processes starting together all read the one key that won (as the secret key)."""
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        if replace:
            os.replace(draft, path)
        else:
            os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def vapid() -> Vapid:
    """The app's VAPID key, made on first use."""
    path = key_path()
    if not path.exists():
        _write_new(path, replace=False)
    return Vapid.from_pem(path.read_bytes())


def rotate() -> None:
    """Replace the key pair. Subscriptions made for the old key stop working."""
    _write_new(key_path(), replace=True)


def public_key() -> str:
    """The application server key browsers subscribe with: URL-safe base64, unpadded."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).decode().rstrip("=")
