"""The family registry (comptoir.families) reaches every rule, section, effect, provider, kind,
report and command the code defines: nothing runs by import order, nothing is forgotten."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import click
import pytest

from comptoir import families
from comptoir.domain.availability import provider
from comptoir.domain.diff import effect
from comptoir.domain.overview import section
from comptoir.domain.validation import rule

MARKS = {"rule_spec": "rules", "overview_section": "sections", "diff_effect": "effects",
         "provider_reads": "providers"}


def _modules(package: str) -> list[types.ModuleType]:
    pkg = importlib.import_module(package)
    out = [pkg]
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        out.append(importlib.import_module(info.name))
    return out


def _registered() -> dict[str, set]:
    return {"rules": {spec.fn for spec in families.rules()}, "sections": set(families.sections()),
            "effects": set(families.effects()), "providers": set(families.providers())}


def unreachable(modules: list[types.ModuleType]) -> list[str]:
    """Marked functions defined in `modules` that the registry does not reach."""
    registered = _registered()
    out = []
    for module in modules:
        for name, value in vars(module).items():
            if not callable(value) or getattr(value, "__module__", None) != module.__name__:
                continue
            for mark, what in MARKS.items():
                if hasattr(value, mark) and value not in registered[what]:
                    out.append(f"{module.__name__}.{name} ({what})")
    return out


def test_every_marked_domain_function_is_reached():
    assert unreachable(_modules("comptoir.domain")) == []


def test_an_unregistered_rule_is_caught():
    """A rule marked with @rule but left out of its module's RULES (or a module left out of its
    family) is reported, and so are sections, effects and providers."""
    module = types.ModuleType("comptoir.domain.projects")

    def timesheet_hours(book):
        return []

    def projects_overview(book, today):
        return []

    def projects_effect(base, head):
        return None

    def open_projects(book):
        return []

    for fn in (timesheet_hours, projects_overview, projects_effect, open_projects):
        fn.__module__ = module.__name__
        setattr(module, fn.__name__, fn)
    rule(reads=("journal",))(timesheet_hours)
    section(projects_overview)
    effect(projects_effect)
    provider(reads=["journal"])(open_projects)
    assert sorted(unreachable([module])) == [
        "comptoir.domain.projects.open_projects (providers)",
        "comptoir.domain.projects.projects_effect (effects)",
        "comptoir.domain.projects.projects_overview (sections)",
        "comptoir.domain.projects.timesheet_hours (rules)",
    ]


def test_no_rule_is_listed_twice():
    rules = [spec.fn for spec in families.rules()]
    assert len(rules) == len(set(rules))
    for what in ("sections", "effects", "providers"):
        found = getattr(families, what)()
        assert len(found) == len(set(found)), what


def test_every_kind_is_named_once():
    kinds = families.kinds()
    names = [k.name for k in kinds]
    assert len(names) == len(set(names))
    folders = [k.folder for k in kinds]
    assert len(folders) == len(set(folders))


def test_every_kind_names_a_model_of_its_schema_module():
    """The light table (families.FAMILIES) and the models agree: each kind's "module:Class" is a
    record model of that module, with the kind's id and date fields."""
    from comptoir.schemas.types import Record

    for kind in families.kinds():
        module, _, name = kind.model_path.partition(":")
        model = kind.model
        assert isinstance(model, type) and issubclass(model, Record), kind.name
        assert (model.__module__, model.__name__) == (f"comptoir.schemas.{module}", name), kind.name
        assert kind.id_field in model.model_fields, kind.name
        assert kind.date_field is None or kind.date_field in model.model_fields, kind.name


def _parts(model: type) -> set[type]:
    """The record models a model is made of (its fields' types, nested), itself included."""
    import typing

    from comptoir.schemas.types import Record

    seen: set[type] = set()
    todo = [model]
    while todo:
        found = todo.pop()
        if isinstance(found, type) and issubclass(found, Record):
            if found in seen:
                continue
            seen.add(found)
            todo.extend(f.annotation for f in found.model_fields.values())
        else:
            todo.extend(typing.get_args(found))
    return seen


def test_every_record_model_is_a_kinds_or_part_of_one():
    """A record model no kind names (and that no kind's model or the settings is made of) is one the
    light table forgot: its records would never be read."""
    from comptoir.schemas.settings import Settings
    from comptoir.schemas.types import Record

    reached = _parts(Settings)
    for kind in families.kinds():
        reached |= _parts(kind.model)
    stray = []
    for module in _modules("comptoir.schemas"):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Record) and value is not Record \
                    and value.__module__ == module.__name__ and value not in reached:
                stray.append(f"{module.__name__}.{name}")
    assert stray == []


def _reachable(group: click.Group, ctx: click.Context, seen: set[int]) -> None:
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, f"{group.name} lists {name} but cannot load it"
        assert cmd.name == name, f"{group.name} {name} loads the command named {cmd.name}"
        seen.add(id(cmd))
        if isinstance(cmd, click.Group):
            _reachable(cmd, ctx, seen)


def test_every_command_and_report_is_reached():
    from comptoir.main import cli

    seen: set[int] = {id(cli)}
    with click.Context(cli) as ctx:
        _reachable(cli, ctx, seen)
    missing = []
    for module in _modules("comptoir.commands"):
        for name, value in vars(module).items():
            if isinstance(value, click.Command) and id(value) not in seen:
                missing.append(f"{module.__name__}.{name}")
    assert missing == []


def test_reports_are_listed_by_the_family_that_defines_them():
    for fam in families.FAMILIES:
        if not fam.reports:
            continue
        module = importlib.import_module(f"comptoir.commands.{fam.cli}")
        assert sorted(c.name for c in module.REPORTS) == sorted(fam.reports), fam.name


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_imports_no_command_module(args):
    """Nor any model: the family table's kinds are plain data (comptoir.schemas.registry)."""
    code = ("import sys\nfrom comptoir.main import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "loaded = sorted(m for m in sys.modules if m.startswith(('comptoir.commands', 'comptoir.domain',"
            " 'comptoir.schemas.', 'pydantic')))\nprint(loaded, file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stderr.strip() in ("[]", "['comptoir.schemas.registry']")

