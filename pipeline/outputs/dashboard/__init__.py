"""The executive dashboard: one self-contained page built from the published marts after each publish."""
