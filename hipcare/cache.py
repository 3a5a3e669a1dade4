"""Rendered parts of pages and computed figures, kept in the cache every app server shares
(settings.CACHES: Redis).

A key names the versions of the data its value was made from, so a write makes the old entry
unreachable at once on every server; nothing is deleted or waited for. Both versions are raised
by PostgreSQL itself, in the transaction of the change, however it is made:
- `Plan.revision`, for anything about one program: its doses, sessions, ticks and answers
  (plans/revision.py); it comes with the program row the page reads anyway;
- `CatalogueVersion`, for anything shown from the catalogue: exercises, their texts, pictures,
  notes, conditions and templates (exercises/catalogue_version.py).
Every key also names the language, and the cache's key prefix the release (hipcare/release.py).
If the cache server cannot be reached the page is made from the database, as without a cache.
"""

import hashlib
import logging

from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Long enough to serve a busy day from the cache; a version change makes an entry unreachable
# long before it expires, so this only bounds the memory of entries nobody asks for again.
FRAGMENT_SECONDS = 6 * 60 * 60


def _key(name, parts):
    raw = "|".join(str(part) for part in (*parts, get_language()))
    return f"{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_many(name, parts, compute):
    """{id: value} for each id of `parts` ({id: what that value depends on}), in one round
    trip; `compute(ids)` gives {id: value} for the ids not kept, which are kept then."""
    try:
        keys = {id_: _key(name, id_parts) for id_, id_parts in parts.items()}
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.exception("cache: unreachable; computing %s from the database", name)
        return compute(list(parts))
    result = {id_: found[key] for id_, key in keys.items() if key in found}
    missing = [id_ for id_ in parts if id_ not in result]
    if missing:
        computed = compute(missing)
        result.update(computed)
        try:
            cache.set_many({keys[id_]: value for id_, value in computed.items()}, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("cache: could not keep %s", name)
    return result


def cached(name, parts, compute):
    """What `compute()` returns (a picklable value), kept under `name`, the language and `parts`
    (what it depends on: ids, versions, the day, the page)."""
    try:
        key = _key(name, parts)
        value = cache.get(key)
    except Exception:
        logger.exception("cache: unreachable; computing %s from the database", name)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, FRAGMENT_SECONDS)
        except Exception:
            logger.exception("cache: could not keep %s", name)
    return value


def fragment(name, parts, render):
    """HTML from `render()` (a template rendered to a string), kept as `cached` keeps values."""
    return mark_safe(cached(name, parts, lambda: str(render())))
