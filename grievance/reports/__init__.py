"""The monthly accountability scorecard and printable case documents."""
