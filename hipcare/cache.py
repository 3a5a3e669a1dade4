"""Rendered fragments kept in the cache every app server shares (settings.CACHES: Redis).

A fragment's key names the versions of the data it was rendered from, so a write makes the old
entry unreachable at once on every server; nothing is deleted or waited for.
- A program's fragments carry `Plan.revision`, which the database raises in the transaction of
  any change to the program (plans/revision.py): it comes with the program row already read.
- The catalogue's fragments carry the catalogue's version, a random token kept in the cache and
  replaced after any change to the catalogue commits (exercises/signals.py; load_catalogue).
  Should the token be evicted, a new one is drawn: the old fragments are then unreachable too.
If the cache server cannot be reached the page is rendered from the database, as without a cache.
"""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Long enough to serve a busy day from the cache; a version change makes an entry unreachable
# long before it expires, so this only bounds the memory of entries nobody asks for again.
FRAGMENT_SECONDS = 6 * 60 * 60

CATALOGUE = "catalogue"


def _version_key(scope):
    return f"version:{scope}"


def versions(*scopes):
    """The current token of each scope, drawing one for a scope that has none (one round trip
    when all are there)."""
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        if key not in found:
            # add() keeps the token another server drew in the meantime.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
        tokens.append(found[key])
    return tokens


def bump(scope):
    """Make every fragment of `scope` unreachable: now, for the writer's next page, and again
    when the current transaction commits (a reader in between, still seeing the old rows, may
    have kept them under the token drawn now)."""

    def replace():
        try:
            cache.set(_version_key(scope), uuid.uuid4().hex, timeout=None)
        except Exception:
            # Without a new token stale fragments could be served: drop them all instead.
            logger.exception("cache: could not replace the %s version; clearing", scope)
            try:
                cache.clear()
            except Exception:
                logger.exception("cache: could not clear")

    replace()
    # robust: the change is committed; a cache failure is logged, not turned into an error page.
    transaction.on_commit(replace, robust=True)


def _key(name, parts, tokens=()):
    raw = "|".join(str(part) for part in (*parts, *tokens, get_language()))
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


def cached(name, parts, compute, *, scopes=()):
    """What `compute()` returns (a picklable value), kept under `name`, the language, `parts`
    (what it depends on: ids, versions, the day, the page) and the current tokens of `scopes`."""
    try:
        key = _key(name, parts, versions(*scopes) if scopes else ())
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


def fragment(name, parts, render, *, scopes=()):
    """HTML from `render()` (a template rendered to a string), kept as `cached` keeps values."""
    return mark_safe(cached(name, parts, lambda: str(render()), scopes=scopes))
