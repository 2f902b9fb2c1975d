"""Assisted and collective filing by civil-society organisations and unions (role 'monitor')."""
