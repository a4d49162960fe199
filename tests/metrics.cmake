# Tests for the metrics area.
