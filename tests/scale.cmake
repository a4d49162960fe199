# Tests for the scale area.
