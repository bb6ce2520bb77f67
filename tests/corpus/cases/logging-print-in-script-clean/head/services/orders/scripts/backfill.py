print("backfilling")
