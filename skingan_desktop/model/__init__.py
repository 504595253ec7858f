"""Pure PyTorch: the LaMa FFC generator, how its weights load, and feature refinement."""

from .generator import FFCResNetGenerator, GeneratorConfig
from .refine import refine_inpaint
from .weights import WeightsError, load_generator, read_generator_state

__all__ = [
    "FFCResNetGenerator",
    "GeneratorConfig",
    "WeightsError",
    "load_generator",
    "refine_inpaint",
    "read_generator_state",
]
