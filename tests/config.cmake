# Tests for the config area.
