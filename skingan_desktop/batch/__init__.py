"""Whole folders of photos: which photo gets which mask, the per-photo job, the resumable log."""
