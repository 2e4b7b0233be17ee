"""Languages in one place: language tags, and month names and date formats per language."""
