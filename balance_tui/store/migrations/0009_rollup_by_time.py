"""Rollups by time: ``verify`` checks the rollups a week at a time (so its memory does not grow
with the book: the whole check at 10^7 events held 5 GB), reading each week's rows through
this index."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX rollup_grain_bucket ON rollup (grain, bucket_us)")
