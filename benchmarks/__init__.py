"""`make bench`: timings of our code (and, where there is one, of a peer in the same run)."""
