"""The wiring that must know every app: settings, root urls, the API router, Celery, WSGI/ASGI.

It sits above every app (cookiecutter-django's layout), so that the apps' own folders only
depend downward; `make lint` checks it (import-linter, `.importlinter`).
"""

# Loaded with Django, so that the apps' `shared_task`s bind to this app.
from config.celery_app import app as celery_app

__all__ = ["celery_app"]
