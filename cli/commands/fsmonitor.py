"""`comptoir fsmonitor on|off|status`: git's file-system monitor through Watchman, for a book's repository."""

from __future__ import annotations

import click

DAEMON_NOTE = ("Watchman runs as a background daemon of your user and watches the work tree through "
               "inotify (`watchman watch-list` shows what it watches, `watchman shutdown-server` stops it).")


def _top(env):
    from comptoir.errors import fail

    root = env.root()
    if root.top is None:
        raise fail("no-repository", f"{root.path} is not in a git repository",
                   "git's file-system monitor belongs to a repository: `git init` it first")
    return root.top


@click.group()
def fsmonitor() -> None:
    """Have git ask Watchman what changed instead of checking every file.

    Every read asks git what differs from HEAD, and git answers by checking every file of the
    folders read: 0.5-0.9 s of CPU on a book of 467,000 files. With the monitor on, git asks
    Watchman (https://facebook.github.io/watchman/, `apt-get install watchman`) what changed
    since it last looked, and checks only those files. `comptoir init` turns it on in a
    repository it creates when watchman is installed; a clone gets it with `comptoir fsmonitor
    on`. Reads never change git's settings by themselves.

    Watchman runs as a background daemon of your user. git 2.39 writes its whole index when it
    stats a file into it with the monitor on, so a write puts its files in git's index by their
    content and keeps the index split (a write's files are then compared by content by `git
    status` until one write in every 400 files, or your own `git status`, refreshes the index);
    the monitor saves 0.35-0.45 s of CPU on every read of a book of 467,000 files:
    docs/performance.md has the figures.
    """


@fsmonitor.command("on")
@click.pass_obj
def on(env) -> None:
    """Set core.fsmonitor to comptoir's Watchman hook in this repository, and git's untracked cache."""
    from comptoir.book import fsmonitor as monitor
    from comptoir.errors import fail

    top = _top(env)
    if not monitor.available():
        raise fail("no-watchman", "watchman is not installed (not on PATH)",
                   "install it (`apt-get install watchman`, `brew install watchman`), then run this again")
    monitor.enable(top)
    click.echo(f"git in {top} now asks Watchman what changed (core.fsmonitor = {monitor.hook_command()}).")
    click.echo(DAEMON_NOTE)
    click.echo("`comptoir fsmonitor off` turns it off.")


@fsmonitor.command("off")
@click.pass_obj
def off(env) -> None:
    """Unset core.fsmonitor and stop watching this repository's work tree."""
    from comptoir.book import fsmonitor as monitor

    top = _top(env)
    monitor.disable(top)
    click.echo(f"git in {top} checks every file again (core.fsmonitor unset, the watch removed; "
               "the Watchman daemon goes on for its other watches).")


@fsmonitor.command("status")
@click.pass_obj
def status(env) -> None:
    """Whether the monitor is on, comptoir's own hook, and watching."""
    from comptoir.book import fsmonitor as monitor

    top = _top(env)
    found = monitor.state(top)
    if found.command is None:
        click.echo(f"off: git checks every file in {top}" + ("" if monitor.available() else
                                                              " (watchman is not installed)"))
        return
    which = "comptoir's hook" if found.ours else f"another hook, not this comptoir's: {found.command}"
    click.echo(f"on: {which}; " + ("Watchman watches " + str(top) if found.watched else
                                   "Watchman does not watch it yet (the next git command starts the watch)"))
