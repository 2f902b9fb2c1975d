"""SMS status checks: the gateway forwards a text; we answer through the outbox."""
