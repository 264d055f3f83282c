"""The township's external four-platform system (基层治理四平台): the signing scheme both sides use,
the one outbound HTTP client, and a loopback fake platform for tests and demos.

Nothing here knows the database; the connector's rules (when to deliver, retries, inbound status
updates) are in app/domain/complaints/platform.py.
"""
