"""FastAPI dependencies that hand each request the process's services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pypidesk.index.db.engine import Database
from pypidesk.index.settings import ServerSettings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def read_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.read() as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session)]
Settings = Annotated[ServerSettings, Depends(get_settings)]
