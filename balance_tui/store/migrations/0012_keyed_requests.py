"""An approval request keeps the idempotency key of the submit that made it, with the
fingerprint of the change, so a retry of that submit gets the request back (or, once it is
applied, the applied event, which carries the key) instead of a second request."""


def up(migrator, db):
    for statement in (
        "ALTER TABLE approval_request ADD COLUMN idempotency_key VARCHAR(200)",
        "ALTER TABLE approval_request ADD COLUMN request_hash VARCHAR(64)",
        "CREATE UNIQUE INDEX approval_request_key ON approval_request (idempotency_key)",
    ):
        db.execute_sql(statement)
