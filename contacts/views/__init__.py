"""The contacts pages, one module per page family (see contacts/urls.py)."""
