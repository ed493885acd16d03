"""Peewee models: the tables as the application reads and writes them.

Money columns are integer cents (``BigIntegerField``); times are integer microseconds since
the Unix epoch, UTC (``*_us``), which compare and index the same on SQLite and PostgreSQL.
The schema itself is created by the migrations in ``store/migrations``, not from here.
"""

from __future__ import annotations

from peewee import (
    BigAutoField,
    BigIntegerField,
    CharField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class BaseModel(Model):
    """Models are bound to no database: every query is bound to one explicitly (see
    ``store.bound``), so two books open in one process never mix. A query that was not
    bound fails loudly instead of running against the wrong file."""

    class Meta:
        database = None
        legacy_table_names = False


class Agent(BaseModel):
    id = BigAutoField()
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=200, default="")
    created_us = BigIntegerField()


class Customer(BaseModel):
    id = BigAutoField()
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=200, default="")
    agent = ForeignKeyField(Agent, backref="customers", on_delete="RESTRICT")
    vip_level = CharField(max_length=16)
    currency = CharField(max_length=3, default="USD")
    status = CharField(max_length=16, default="active")
    balance_cents = BigIntegerField(default=0)
    event_count = BigIntegerField(default=0)
    head_hash = CharField(max_length=64)
    created_us = BigIntegerField()


class BalanceEvent(BaseModel):
    id = BigAutoField()
    customer = ForeignKeyField(Customer, backref="events", on_delete="RESTRICT")
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
    #: The approval request this event applies (a change above its maker's authority).
    approval_id = BigIntegerField(null=True)
    #: 1: events written before the hash covered every field; 2: it covers all of them.
    chain_version = IntegerField(default=1)


class Alert(BaseModel):
    id = BigAutoField()
    customer = ForeignKeyField(Customer, backref="alerts", on_delete="RESTRICT")
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
    acknowledgement_note = TextField(null=True)
    acknowledged_db_user = CharField(max_length=200, null=True)


class RejectedAttempt(BaseModel):
    """Every update the engine refused: the operations figures count rejections from here."""

    id = BigAutoField()
    customer_code = CharField(max_length=64)
    change_type = CharField(max_length=16)
    amount_cents = BigIntegerField(null=True)
    performed_by = CharField(max_length=200)
    errors_json = TextField()
    created_us = BigIntegerField()


class BookInfo(BaseModel):
    """What the book says about itself: the oldest program version that may write to it."""

    key = CharField(max_length=64, primary_key=True)
    value = TextField()


ALL_MODELS: list[type[BaseModel]] = [
    Agent,
    Customer,
    BalanceEvent,
    Alert,
    RejectedAttempt,
    BookInfo,
]
