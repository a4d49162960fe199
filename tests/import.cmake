# Tests for the import area.
