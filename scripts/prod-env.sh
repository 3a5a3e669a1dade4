#!/usr/bin/env bash
# Production settings on 127.0.0.1 for the benchmark and the scale-out run (`source` it): DEBUG
# off, a fresh random key per run (hipcare.wsgi refuses a weak one), plain HTTP, no lock-out.
export DEBUG=false SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=127.0.0.1 \
    SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0 AXES_ENABLED=false
