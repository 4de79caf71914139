"""cardio package."""
