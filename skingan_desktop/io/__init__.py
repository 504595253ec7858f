"""Photos and masks in and out of files: one loader, one atomic writer."""
