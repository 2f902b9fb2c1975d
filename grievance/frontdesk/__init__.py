"""The single window: staff at a district or commune office file complaints for people present."""
