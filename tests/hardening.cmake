# Tests for the hardening area.
