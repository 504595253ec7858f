"""Training SkinGAN generators: masks, skin data, LaMa losses, the loop, evaluation. No Qt."""
