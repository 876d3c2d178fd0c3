"""click's parser messages said in the user's terms: "did you mean" for commands and choices, and
what to do about a value left over (usage errors still exit 2)."""

from __future__ import annotations

import re

import click

from comptoir.suggest import did_you_mean


def reword(exc: click.ClickException) -> click.ClickException:
    """The usage error to show: the same, or one that says it in the user's terms."""
    message = exc.message
    ctx = getattr(exc, "ctx", None)
    m = re.match(r"No such command '(.+)'\.$", message)
    if m and ctx is not None and isinstance(ctx.command, click.Group):
        name = m.group(1)
        guess = did_you_mean(name, ctx.command.list_commands(ctx))
        return click.UsageError(f"there is no command {name!r} in `{ctx.command_path}`"
                                + (f"; {guess}" if guess else ".")
                                + f" `{ctx.command_path} --help` lists the commands.", ctx)
    m = re.search(r"'(.*)' is not one of (.+)\.$", message, re.S)
    if m and isinstance(exc, click.BadParameter):
        value = m.group(1)
        choices = re.findall(r"'([^']*)'", m.group(2))
        guess = did_you_mean(value, choices)
        name = exc.param.get_error_hint(ctx) if exc.param is not None and ctx is not None else "the value"
        return click.UsageError(f"{name} does not take {value!r}: choose one of {', '.join(choices)}"
                                + (f"; {guess}" if guess else ""), ctx)
    m = re.match(r"No such option '(-[^-'][^']*)'\.", message)
    if m and ctx is not None:
        token = m.group(1)
        if re.fullmatch(r"-[0-9.,]+", token):
            why = f"{token!r} looks like a negative number, but is read as an option"
        else:
            why = f"{token!r} is read as an option, and `{ctx.command_path}` has no such option"
        guess = message.split(".", 1)[1].strip() if "Did you mean" in message else ""
        return click.UsageError(f"{why}; to pass a value that starts with '-', put -- before the arguments "
                                f"(`{ctx.command_path} -- ...`)" + (f". {guess}" if guess else ""), ctx)
    m = re.match(r"Got unexpected extra arguments? \((.+)\)$", message)
    if m:
        extra = m.group(1)
        hint = "a value with spaces needs quotes, like --memo \"Office supplies\""
        if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", extra.split()[0]):
            hint = "the decimal separator is '.', like " + extra.split()[0].replace(",", ".")
        exc.message = (f"{extra!r} is left over: `{ctx.command_path if ctx else 'comptoir'}` takes no such "  # type: ignore[misc]
                       f"argument; {hint}")
        return exc
    m = re.match(r"Missing argument '(.+)'\.$", message)
    if m and ctx is not None:
        exc.message = f"{m.group(1)} is missing: `{ctx.command_path} --help` shows what to give and an example"  # type: ignore[misc]
    return exc
