"""llms: a local-first LLM chat hub with built-in usage and cost analytics."""

__all__ = ["__version__"]

__version__ = "0.1.0"
