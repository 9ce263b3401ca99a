print("salvage-bench: not yet")
