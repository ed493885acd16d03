"""Initial schema: agents, customers, the append-only audit trail, alerts, rejected attempts.

Frozen copies of the models (deliberately independent of the application's), the indexes
history and analytics need, and triggers that make the audit trail append-only and alerts
acknowledge-only.
"""

from peewee import (
    BigAutoField,
    BigIntegerField,
    CharField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Agent(Base):
        id = BigAutoField()
        code = CharField(max_length=64, unique=True)
        name = CharField(max_length=200, default="")
        created_us = BigIntegerField()

    class Customer(Base):
        id = BigAutoField()
        code = CharField(max_length=64, unique=True)
        name = CharField(max_length=200, default="")
        agent = ForeignKeyField(Agent, on_delete="RESTRICT")
        vip_level = CharField(max_length=16)
        currency = CharField(max_length=3, default="USD")
        status = CharField(max_length=16, default="active")
        balance_cents = BigIntegerField(default=0)
        event_count = BigIntegerField(default=0)
        head_hash = CharField(max_length=64)
        created_us = BigIntegerField()

    class BalanceEvent(Base):
        id = BigAutoField()
        customer = ForeignKeyField(Customer, on_delete="RESTRICT")
        sequence = BigIntegerField()
        agent_code = CharField(max_length=64)
        currency = CharField(max_length=3, default="USD")
        change_type = CharField(max_length=16)
        amount_cents = BigIntegerField()
        previous_cents = BigIntegerField()
        new_cents = BigIntegerField()
        reason = TextField()
        performed_by = CharField(max_length=200)
        db_user = CharField(max_length=200, null=True)
        vip_level = CharField(max_length=16)
        metadata_json = TextField(default="{}")
        risk_score = IntegerField(default=0)
        warnings_json = TextField(default="[]")
        idempotency_key = CharField(max_length=200, null=True, unique=True)
        request_hash = CharField(max_length=64, null=True)
        reverses_event = ForeignKeyField(
            "self", null=True, unique=True, on_delete="RESTRICT", column_name="reverses_event_id"
        )
        created_us = BigIntegerField()
        prev_hash = CharField(max_length=64)
        hash = CharField(max_length=64)

        class Meta:
            indexes = (
                (("customer", "sequence"), True),
                (("customer", "created_us"), False),
                (("created_us",), False),
                (("agent_code", "created_us"), False),
            )

    class Alert(Base):
        id = BigAutoField()
        customer = ForeignKeyField(Customer, on_delete="RESTRICT")
        alert_type = CharField(max_length=32)
        message = TextField()
        balance_cents = BigIntegerField()
        threshold_cents = BigIntegerField(null=True)
        event = ForeignKeyField(BalanceEvent, null=True, on_delete="RESTRICT")
        attempted_cents = BigIntegerField(null=True)
        attempted_by = CharField(max_length=200, null=True)
        created_us = BigIntegerField()
        acknowledged_us = BigIntegerField(null=True)
        acknowledged_by = CharField(max_length=200, null=True)

        class Meta:
            indexes = (
                (("customer", "acknowledged_us", "alert_type"), False),
                (("acknowledged_us", "id"), False),
                (("created_us",), False),
            )

    class RejectedAttempt(Base):
        id = BigAutoField()
        customer_code = CharField(max_length=64)
        change_type = CharField(max_length=16)
        amount_cents = BigIntegerField(null=True)
        performed_by = CharField(max_length=200)
        errors_json = TextField()
        created_us = BigIntegerField()

        class Meta:
            indexes = ((("created_us",), False),)

    db.create_tables([Agent, Customer, BalanceEvent, Alert, RejectedAttempt])
    if isinstance(db, PostgresqlDatabase):
        _postgres_triggers(db)
    else:
        _sqlite_triggers(db)


def _sqlite_triggers(db):
    for statement in (
        """CREATE TRIGGER IF NOT EXISTS balance_event_no_update
           BEFORE UPDATE ON balance_event
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS balance_event_no_delete
           BEFORE DELETE ON balance_event
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS alert_acknowledge_only
           BEFORE UPDATE ON alert
           WHEN OLD.acknowledged_us IS NOT NULL
             OR NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
             OR NEW.alert_type IS NOT OLD.alert_type OR NEW.message IS NOT OLD.message
             OR NEW.balance_cents IS NOT OLD.balance_cents
             OR NEW.threshold_cents IS NOT OLD.threshold_cents
             OR NEW.event_id IS NOT OLD.event_id
             OR NEW.attempted_cents IS NOT OLD.attempted_cents
             OR NEW.attempted_by IS NOT OLD.attempted_by
             OR NEW.created_us IS NOT OLD.created_us
           BEGIN SELECT RAISE(ABORT, 'alerts are only acknowledged, never edited'); END""",
        """CREATE TRIGGER IF NOT EXISTS alert_no_delete
           BEFORE DELETE ON alert
           BEGIN SELECT RAISE(ABORT, 'alerts are never deleted'); END""",
    ):
        db.execute_sql(statement)


def _postgres_triggers(db):
    db.execute_sql(
        """CREATE OR REPLACE FUNCTION balance_event_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END;
           $$ LANGUAGE plpgsql"""
    )
    db.execute_sql(
        """CREATE OR REPLACE FUNCTION alert_acknowledge_only() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'alerts are never deleted'; END IF;
             IF OLD.acknowledged_us IS NOT NULL
                OR (NEW.id, NEW.customer_id, NEW.alert_type, NEW.message, NEW.balance_cents,
                    NEW.threshold_cents, NEW.event_id, NEW.attempted_cents, NEW.attempted_by,
                    NEW.created_us)
                   IS DISTINCT FROM
                   (OLD.id, OLD.customer_id, OLD.alert_type, OLD.message, OLD.balance_cents,
                    OLD.threshold_cents, OLD.event_id, OLD.attempted_cents, OLD.attempted_by,
                    OLD.created_us)
             THEN RAISE EXCEPTION 'alerts are only acknowledged, never edited'; END IF;
             RETURN NEW;
           END;
           $$ LANGUAGE plpgsql"""
    )
    db.execute_sql(
        """CREATE TRIGGER balance_event_append_only BEFORE UPDATE OR DELETE ON balance_event
           FOR EACH ROW EXECUTE FUNCTION balance_event_append_only()"""
    )
    db.execute_sql(
        """CREATE TRIGGER alert_acknowledge_only BEFORE UPDATE OR DELETE ON alert
           FOR EACH ROW EXECUTE FUNCTION alert_acknowledge_only()"""
    )
