"""Pure rules of the product: no Flask, no database. Plain values in, plain values out."""
