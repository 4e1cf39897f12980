"""Django's PostgreSQL backend, refusing new connections while the database is found down."""
