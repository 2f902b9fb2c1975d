"""Running the app in production: database outages, backups."""
