"""Alerts by time: the operations figures of a period (alerts raised in it) read a range of
this index instead of every alert, so system analytics do not slow down as alerts pile up."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX alert_created ON alert (created_us)")
