"""Find the tattoos in a photo: a small segmentation network and the mask it suggests."""
