"""Erasing a customer (a GDPR request) from every file the warehouse keeps, and keeping them
out of later loads. docs/operations.md, "Erasing a customer"."""
