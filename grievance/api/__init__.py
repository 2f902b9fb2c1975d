"""Open311 GeoReport v2 API at /open311/v2/: categories, public (redacted) requests, filing by API."""
