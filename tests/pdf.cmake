# Tests for the pdf area.
