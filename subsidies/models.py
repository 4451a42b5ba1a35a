"""Models of the subsidies app."""
