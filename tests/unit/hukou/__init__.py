"""Unit tests of the hukou (settlement) service."""
