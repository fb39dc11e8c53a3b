"""Fields an admin adds to deals, leads, persons and organizations (see `values.py`)."""
