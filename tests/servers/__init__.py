"""Real servers started on loopback for tests (Dovecot for IMAP).

Kept apart from the tests so that every test module that needs a real mailbox uses the
same tested recipe (``/work/shared/research/dovecot.md``) instead of growing its own.
"""
