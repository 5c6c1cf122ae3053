import pytest

from pypidesk.index.auth import caveats
from pypidesk.index.auth.caveats import CaveatContext
from pypidesk.index.db.models import Project

PROJECT = Project(name="Demo_Pkg", normalized_name="demo-pkg", uuid="p-uuid")
CONTEXT = CaveatContext(user_uuid="u-uuid", project=PROJECT, now=1000)


def test_serialized_compactly_as_pypi_does() -> None:
    assert caveats.serialize(caveats.expiration(2000, 900)) == "[0,2000,900]"
    assert caveats.serialize(caveats.project_names(["a", "b"])) == '[1,["a","b"]]'
    assert caveats.serialize(caveats.project_ids(["x"])) == '[2,["x"]]'
    assert caveats.serialize(caveats.request_user("u")) == '[3,"u"]'


@pytest.mark.parametrize(
    ("predicate", "error"),
    [
        ("[0,1001,999]", None),
        ("[0,1000,999]", "token is expired"),  # expiry is exclusive
        ("[0,1001,1000]", None),  # not-before is inclusive
        ("[0,1001,1001]", "token is expired"),
        ('[1,["other","demo-pkg"]]', None),
        ('[1,["other"]]', "project-scoped token is not valid for project: 'Demo_Pkg'"),
        ('[2,["p-uuid"]]', None),
        ('[2,["old-uuid"]]', "project-scoped token is not valid for project: 'Demo_Pkg'"),
        ('[3,"u-uuid"]', None),
        ('[3,"someone-else"]', "current user does not match user restriction in token"),
    ],
)
def test_known_caveats(predicate: str, error: str | None) -> None:
    assert caveats.check(predicate, CONTEXT) == error


@pytest.mark.parametrize(
    ("predicate", "error"),
    [
        ('{"version":1,"permissions":"user"}', None),
        ('{"version":1,"permissions":{"projects":["demo-pkg"]}}', None),
        (
            '{"version":1,"permissions":{"projects":["other"]}}',
            "project-scoped token is not valid for project: 'Demo_Pkg'",
        ),
        ('{"exp":1001,"nbf":1000}', None),
        ('{"nbf":0,"exp":1000}', "token is expired"),
        ('{"project_ids":["p-uuid"]}', None),
        ('{"project_ids":["x"]}', "project-scoped token is not valid for project: 'Demo_Pkg'"),
    ],
)
def test_legacy_caveats_pypi_still_accepts(predicate: str, error: str | None) -> None:
    assert caveats.check(predicate, CONTEXT) == error


@pytest.mark.parametrize(
    "predicate",
    ['[1,["demo-pkg"]]', '[2,["p-uuid"]]', '{"version":1,"permissions":{"projects":["a"]}}'],
)
def test_project_caveats_need_a_project(predicate: str) -> None:
    context = CaveatContext(user_uuid="u-uuid", project=None, now=1000)
    assert caveats.check(predicate, context) == (
        "project-scoped token used outside of a project context"
    )


@pytest.mark.parametrize(
    "predicate",
    [
        "not json",
        "{}",
        "[]",
        "[9]",
        '["0",2000,0]',
        "[true,2000,0]",
        "[1.0,[]]",
        "[0,2000]",
        "[0,true,0]",
        "[0,2000,false]",
        "[0,2000.5,0]",
        '[1,"demo-pkg"]',
        "[1,[1]]",
        '[2,"p-uuid"]',
        "[3,7]",
        '[3,"u-uuid","extra"]',
        "[4,1]",
        '{"version":2,"permissions":"user"}',
        '{"version":true,"permissions":"user"}',
        '{"version":1,"permissions":"user","extra":0}',
        '{"version":1,"permissions":"everything"}',
        '{"version":1,"permissions":{"projects":"demo-pkg"}}',
        '{"version":1,"permissions":{"projects":["demo-pkg"],"more":1}}',
        '{"exp":1001}',
        '{"exp":1001,"nbf":true}',
        '{"exp":1001,"nbf":0,"x":0}',
        '{"project_ids":"p-uuid"}',
        '{"project_ids":["p-uuid"],"version":1}',
        '"a string"',
        "17",
    ],
)
def test_anything_else_is_an_unknown_caveat(predicate: str) -> None:
    assert caveats.check(predicate, CONTEXT) == f"unknown caveat: {predicate!r}"
