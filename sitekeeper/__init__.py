"""sitekeeper: many small-business websites and their promotions, from one git repo."""
__version__ = "0.1.0"
