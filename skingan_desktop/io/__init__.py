"""Photos, masks and sessions in and out of files; every file is written atomically (files.py)."""
