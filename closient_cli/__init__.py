"""closient: the Closient dashboard counters, read from the platform's database."""

__version__ = "0.1.0"
