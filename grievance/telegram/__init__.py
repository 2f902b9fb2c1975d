"""Complaints over Telegram: a bot that receives updates on a webhook and answers through the outbox."""
