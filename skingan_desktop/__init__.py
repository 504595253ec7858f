"""SkinGAN Desktop: offline removal of tattoos and blemishes from photos with a LaMa generator."""

__version__ = "0.1.0"
