"""Complaints by conversation: SMS and Telegram ask the form's questions one message at a time."""
