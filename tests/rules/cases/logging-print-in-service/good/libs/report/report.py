def show(rows):
    for r in rows:
        print(r)
