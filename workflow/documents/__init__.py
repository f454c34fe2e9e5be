"""Generated documents (Decree 30 layout): pure renderers, no database."""
