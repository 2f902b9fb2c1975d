"""Plain-language information on schemes and rights, edited by administrators without a deploy."""
