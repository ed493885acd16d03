"""PostgreSQL: the database user recorded on an event is the session's own login, whatever
the INSERT says, so a login with psql cannot post under another's name. (SQLite has no
database users: the file's owner can do anything; the README says so.)"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        """CREATE OR REPLACE FUNCTION balance_event_db_user() RETURNS trigger AS $$
           BEGIN NEW.db_user := session_user; RETURN NEW; END;
           $$ LANGUAGE plpgsql"""
    )
    db.execute_sql(
        """CREATE TRIGGER balance_event_db_user BEFORE INSERT ON balance_event
           FOR EACH ROW EXECUTE FUNCTION balance_event_db_user()"""
    )
