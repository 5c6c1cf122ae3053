"""Running the server in several worker processes.

uvicorn starts each worker by importing an app factory, so a worker cannot be
handed the settings object the command line built. The parent serialises the
settings into one environment variable; :func:`app_from_environment`, the
factory every worker runs, reads it back. This is the only place the server
reads its configuration from the environment (besides the test suite's
switch for cheap password hashing, which the parent's entry point read too).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from fastapi import FastAPI

from pypidesk.index.app import create_app
from pypidesk.index.auth.passwords import use_test_hasher_if_asked
from pypidesk.index.settings import ServerSettings

SETTINGS_ENV = "PYPIDESK_SERVER_SETTINGS"
FACTORY = "pypidesk.index.serving.workers:app_from_environment"


# Fields holding paths travel as strings.
_PATH_FIELDS = tuple(f.name for f in dataclasses.fields(ServerSettings) if "Path" in str(f.type))
# Fields holding tuples travel as JSON lists.
_TUPLE_FIELDS = tuple(
    f.name for f in dataclasses.fields(ServerSettings) if str(f.type).startswith("tuple")
)


def settings_to_json(settings: ServerSettings) -> str:
    data = dataclasses.asdict(settings)
    for name in _PATH_FIELDS:
        data[name] = None if data[name] is None else str(data[name])
    return json.dumps(data)


def settings_from_json(text: str) -> ServerSettings:
    data = json.loads(text)
    for name in _PATH_FIELDS:
        data[name] = None if data[name] is None else Path(data[name])
    for name in _TUPLE_FIELDS:
        data[name] = tuple(data[name])
    return ServerSettings(**data)


def app_from_environment() -> FastAPI:
    """The uvicorn factory of a worker: the app for the settings its parent exported."""
    use_test_hasher_if_asked(os.environ)
    return create_app(settings_from_json(os.environ[SETTINGS_ENV]))
