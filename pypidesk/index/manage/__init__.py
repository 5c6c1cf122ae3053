"""What PyPI offers maintainers only as web pages, as service functions.

Collaborators and invitations, yank and delete, and the history of both. The
functions work on the caller's write session and never commit: the caller
(an API route or an admin command) wraps one call in ``Database.write()``, so
a refused or failed action changes nothing. HTTP lives in ``pypidesk.index.api``.
"""
