"""The Closeout sync server: FastAPI over SQLAlchemy (PostgreSQL in production, SQLite by default)."""
