"""The lines a maintainer pastes into pip, uv, twine and ``~/.pypirc`` to use an index.

Built from a :class:`Profile`, so they hold for the local index and any other.
The token goes in only when the caller passes it, which the app does only
when the user asks: a line on screen shows where the token goes, not the token.
"""

from __future__ import annotations

import dataclasses

from pypidesk.client.profiles import Profile

# The name of the index in uv's and twine's configuration (`-r`, `--index`).
LOCAL_INDEX_NAME = "pypidesk-local"
PROJECT_PLACEHOLDER = "YOUR-PROJECT"
TOKEN_PLACEHOLDER = "<your API token>"  # noqa: S105 - a placeholder, not a secret


@dataclasses.dataclass(frozen=True, slots=True)
class Snippets:
    """One index's ready lines, each a complete paste."""

    pip: str
    uv: str
    twine: str
    pypirc: str


def pip_line(profile: Profile, project: str = PROJECT_PLACEHOLDER) -> str:
    return f"pip install --index-url {profile.index_url} {project}"


def uv_index(profile: Profile, name: str = LOCAL_INDEX_NAME) -> str:
    """A ``[[tool.uv.index]]`` table for pyproject.toml; ``uv publish --index NAME`` uses it."""
    return (
        "[[tool.uv.index]]\n"
        f'name = "{name}"\n'
        f'url = "{profile.index_url}"\n'
        f'publish-url = "{profile.upload_url}"\n'
    )


def twine_line(profile: Profile, token: str | None = None) -> str:
    """twine's upload command; with a token, one that needs no prompt."""
    line = f"twine upload --repository-url {profile.upload_url}"
    if token is not None:
        line += f" -u __token__ -p {token}"
    return line + " dist/*"


def pypirc_values(profile: Profile, token: str | None = None) -> dict[str, str]:
    """The keys of a ``~/.pypirc`` section for ``profile`` (password only with a token)."""
    values = {"repository": profile.upload_url, "username": "__token__"}
    if token is not None:
        values["password"] = token
    return values


def pypirc_section(
    profile: Profile, token: str | None = None, name: str = LOCAL_INDEX_NAME
) -> str:
    """The section as text; without a token, a comment says where it goes."""
    lines = [f"[{name}]"]
    lines += [f"{key} = {value}" for key, value in pypirc_values(profile, token).items()]
    if token is None:
        lines.append(f"# password = {TOKEN_PLACEHOLDER}")
    return "\n".join(lines) + "\n"


def snippets(profile: Profile, token: str | None = None) -> Snippets:
    """All four; ``token`` goes into the twine line and the ``~/.pypirc`` section."""
    return Snippets(
        pip=pip_line(profile),
        uv=uv_index(profile),
        twine=twine_line(profile, token),
        pypirc=pypirc_section(profile, token),
    )
