"""Qt item models over the client's data; big lists fetch lazily in pages."""
