"""The retouch document, free of Qt: the photo being retouched, its mask, its History of steps
and its results (``retouch.py``, ``history.py``). The Qt side (``ui/``) shows it and forwards
what the user does; autosave and session files serialise it (``io/session.py``)."""
