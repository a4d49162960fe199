# Tests for the xlsx area.
