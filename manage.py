#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read code and write files (no requests served, nothing signed) run without a
# configured SECRET_KEY; everything else still refuses to start without one when DEBUG is off.
OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "makemessages"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipcare.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "offline-" + secrets.token_urlsafe(40))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
