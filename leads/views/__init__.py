"""The leads pages, one module per page family (see leads/urls.py)."""
