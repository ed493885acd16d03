"""An acknowledgement may carry a note ("called the agent, deposit on its way"): written with
the acknowledgement, in the same statement, and, like it, never edited afterwards (the
acknowledge-only triggers refuse any update of an acknowledged alert)."""


def up(migrator, db):
    db.execute_sql("ALTER TABLE alert ADD COLUMN acknowledgement_note TEXT")
