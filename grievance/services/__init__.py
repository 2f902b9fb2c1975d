"""Services shared by several blueprints: audit chain, calendar, routing, clocks, intake."""
