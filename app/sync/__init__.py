"""The sync client: push the outbox, pull the server's changes, apply them locally, keep conflicts visible."""
