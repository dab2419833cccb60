"""What the pipeline hands to people: dashboard, weekly report, team hand-off, run summary."""
