"""No Qt: a photo and a mask in, inpainted results out."""
