"""VAPID keys for web push: the server's key pair that push services check (RFC 8292).

Production sets VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (and VAPID_SUBJECT) in the environment;
without them hipcare offers no notifications. For `make run` (DEBUG) `manage.py reminders
--dev-keys` writes a pair once to a git-ignored file, which settings.py reads. Imported by
settings.py: nothing here may import Django's models.
"""

import base64
import json
from pathlib import Path


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate() -> dict:
    """A new P-256 key pair as web push uses them: the public key as the uncompressed point the
    browser's applicationServerKey takes, the private key as its 32-byte number (base64url)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "public_key": b64url(public),
        "private_key": b64url(private.private_numbers().private_value.to_bytes(32, "big")),
    }


def read_dev_keys(path: Path) -> tuple[str, str]:
    """(public, private) from the development file, or ("", "") when there is none."""
    try:
        keys = json.loads(Path(path).read_text(encoding="utf-8"))
        return keys["public_key"], keys["private_key"]
    except (OSError, ValueError, KeyError, TypeError):
        return "", ""


def write_dev_keys(path: Path) -> bool:
    """Writes a development key pair unless the file has one. Returns True if written."""
    if all(read_dev_keys(path)):
        return False
    path = Path(path)
    path.write_text(json.dumps(generate(), indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return True
