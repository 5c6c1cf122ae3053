"""``pypidesk admin``: the operator's commands, run against the data dir without a server.

They use only the server's own packages (records, auth, manage), so they work
on a machine with no Qt and no desktop app installed.
"""
