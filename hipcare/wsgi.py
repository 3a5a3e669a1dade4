import os

from django.core.wsgi import get_wsgi_application

from hipcare.secret_key import require_strong_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipcare.settings")
require_strong_secret_key()
application = get_wsgi_application()
