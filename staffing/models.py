"""Models of the staffing app."""
