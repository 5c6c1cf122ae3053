"""The index's records and PyPI's rules for them: accounts, projects, flags, history, journal.

Service functions take a session the caller opened and commits, so an upload,
an API call or an admin command changes records and journals the change in one
transaction.
"""
