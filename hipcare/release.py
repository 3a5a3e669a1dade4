"""A digest of the code, templates, translations and locked libraries this process runs, for the shared cache's
key prefix (settings.CACHES): after a release that changes any of them, nothing rendered or
computed by the previous release is served, however long its entries would still live."""

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["hipcare", "exercises", "plans", "courses", "reminders", "templates", "locale"]
SUFFIXES = {".py", ".html", ".mo"}


# The locked versions of the libraries (a new Django or crispy-forms can change the markup).
FILES = ["requirements.lock"]


def digest():
    hasher = hashlib.sha256()
    for name in FILES:
        path = ROOT / name
        if path.is_file():
            hasher.update(path.read_bytes())
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                hasher.update(str(path.relative_to(ROOT)).encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()[:12]
