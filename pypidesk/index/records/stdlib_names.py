"""Standard-library module names of every Python version, which no project may take.

PyPI refuses a project named like a standard-library module of *any* Python
version. The running interpreter knows its own modules
(``sys.stdlib_module_names``); the modules other versions had and this one
lacks (Python 2 names, PEP 594's dead batteries, distutils, ...) are listed here.
"""

from __future__ import annotations

import sys

from packaging.utils import canonicalize_name

REMOVED_OR_OTHER_VERSIONS = frozenset(
    {
        # Removed in 3.12 / 3.13 (PEP 594 and friends).
        "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt",
        "distutils", "imghdr", "imp", "lib2to3", "mailcap", "msilib", "nis", "nntplib",
        "ossaudiodev", "pipes", "smtpd", "sndhdr", "spwd", "sunau", "telnetlib", "tkinter",
        "uu", "xdrlib", "binhex", "formatter", "parser", "symbol", "macpath", "dummy_threading",
        "_dummy_thread",
        # Added in later versions than some interpreters we run on.
        "tomllib", "graphlib", "zoneinfo", "annotationlib", "compression", "_pyrepl",
        # Python 2.
        "anydbm", "BaseHTTPServer", "Bastion", "bsddb", "CGIHTTPServer", "commands",
        "ConfigParser", "Cookie", "cookielib", "copy_reg", "cPickle", "cStringIO", "dbhash",
        "dircache", "DocXMLRPCServer", "dumbdbm", "exceptions", "fpformat", "htmllib",
        "HTMLParser", "httplib", "ihooks", "imputil", "md5", "mhlib", "mimetools", "MimeWriter",
        "mimify", "multifile", "mutex", "new", "popen2", "posixfile", "Queue", "repr", "rexec",
        "rfc822", "robotparser", "ScrolledText", "sets", "sgmllib", "sha", "SimpleHTTPServer",
        "SimpleXMLRPCServer", "SocketServer", "statvfs", "StringIO", "thread", "Tix", "Tkinter",
        "urllib2", "urlparse", "user", "UserDict", "UserList", "UserString", "whichdb",
        "xmlrpclib", "__builtin__", "future_builtins", "gdbm", "dbm", "test",
    }
)  # fmt: skip

STDLIB_NAMES: frozenset[str] = frozenset(
    canonicalize_name(name.strip("-_."))
    for name in (*sys.stdlib_module_names, *REMOVED_OR_OTHER_VERSIONS)
)


def is_stdlib_name(name: str) -> bool:
    """Whether ``name`` (any spelling) is a standard-library module name."""
    return canonicalize_name(name) in STDLIB_NAMES
