"""Entry point: the root command group, lazy sub-command loading, and the one place that maps
failures to exit codes (0 done, 1 invalid books or input, 2 usage error)."""

from __future__ import annotations

import sys

import click

from comptoir import __version__

# Every environment variable comptoir reads (a test greps the code and checks this list).
ENVIRONMENT = {
    "COMPTOIR_REPO": "The data root when --repo is not given (else the nearest folder above with comptoir.yaml).",
    "COMPTOIR_USER": "The person a write is attributed to ('Name <email>'), instead of git's user.name/email.",
    "COMPTOIR_TODAY": "Fix today's date (YYYY-MM-DD): default dates, ages and due dates; for scripts and CI.",
    "COMPTOIR_ANSWER_CACHE": "0 turns off the cache of report answers (derived data is then recomputed).",
    "COMPTOIR_LOCK_WAIT": "Seconds a write waits for another writer to finish (default 300).",
    "COMPTOIR_ALLOW_INVALID": "1 lets writes go ahead on a book that already fails validate (like --allow-invalid).",
    "COMPTOIR_FAULT": "Tests only: kill the writing process at a step of its write (lock, temp, rename, add, "
                      "commit-object, ref, derived); the next write rolls back what it left.",
    "WATCHMAN_SOCK": "The socket of the Watchman daemon git's file-system monitor hook asks (`comptoir fsmonitor`); "
                     "default: the user's own daemon.",
    "GIT_AUTHOR_NAME": "With GIT_AUTHOR_EMAIL: the commit author when git's user.name/email are not set.",
    "GIT_AUTHOR_EMAIL": "See GIT_AUTHOR_NAME.",
    "_COMPTOIR_COMPLETE": "Shell completion: eval \"$(_COMPTOIR_COMPLETE=bash_source comptoir)\" (zsh_source, fish_source).",
}


class LazyGroup(click.Group):
    """Top-level commands come from the family registry (comptoir.families): names and help are
    listed there, and a command's module is imported only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from comptoir.families import command_help

        return sorted(set(command_help()) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        from comptoir.families import load_command

        command = load_command(name)
        if command is not None:
            from comptoir.examples import prepare

            prepare(command, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from comptoir.families import command_help

        helps = command_help()
        rows = [(name, helps[name]) for name in sorted(helps)]  # no imports: --help stays fast
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if ctx.parent is None:
            with formatter.section("Environment variables"):
                formatter.write_dl(list(ENVIRONMENT.items()))
            with formatter.section("Limits"):
                formatter.write_text("Amounts, quantities and rates: ASCII digits, at most 15 before the point "
                                     "and 10 after. Text fields: 10,000 characters. Batches (journal post --file, "
                                     "crm capture --file): 10,000 items and 16 MiB. See README, 'Guarantees'.")
        super().format_epilog(ctx, formatter)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="comptoir")
@click.option("--repo", metavar="DIR", help="Data root (folder with comptoir.yaml). Default: $COMPTOIR_REPO, then the nearest folder above.")
@click.option("--allow-invalid", is_flag=True,
              help="Write even when the book already fails `validate` (the errors are listed). "
                   "Default: such a write is refused. Also $COMPTOIR_ALLOW_INVALID=1.")
@click.option("--traceback", is_flag=True, hidden=True, help="Show the Python traceback on errors.")
@click.option("--far-date", is_flag=True, help="Accept dates further ahead than date_horizon_days in comptoir.yaml "
              "(default 366): a write refuses them otherwise, as a likely typo.")
@click.pass_context
def cli(ctx: click.Context, repo: str | None, allow_invalid: bool, traceback: bool, far_date: bool) -> None:
    """comptoir: a company's ERP and CRM as plain YAML files in git.

    \b
    Try it on the demo company:
      comptoir --repo ledger-data report overview
      comptoir --repo ledger-data validate
    """
    from comptoir.context import Env

    env = ctx.obj if isinstance(ctx.obj, Env) else Env()
    if repo:
        env.repo = repo
    env.traceback = env.traceback or traceback
    env.far_dates = env.far_dates or far_date
    env.allow_invalid = env.allow_invalid or allow_invalid
    ctx.obj = env
    _STATE["env"] = env  # the error edge looks up close matches in this book


_STATE: dict = {}


def _print_problems(problems) -> None:
    for p in problems:
        click.echo(p.as_text(), err=True)


# The cyclic collector's thresholds for a command: a report makes and drops tens of thousands of
# small acyclic objects (a register's 46,000 rows, an overview's 50,000 light records) while it
# holds as many (the kept values it reads); with Python's (700, 10, 10) the collector's older
# generations were walked 20-50 times over what is held (0.12-0.16 s of a 1 s report). The
# youngest generation is collected as often as before (a larger one is slower to walk: 50,000
# cost more than 700), the older ones 100 times less often.
GC_THRESHOLDS = (700, 1000, 100)


def main(argv: list[str] | None = None, obj=None) -> None:
    """The command line: `argv` (default: the process's arguments). Run as the program (no
    `argv`), the process ends as soon as the command has: see _exit_now."""
    if argv is not None or sys.getprofile() is not None or sys.gettrace() is not None:
        # in-process callers, and a profiler or a coverage tracer (they write their results as
        # the process ends): an ordinary exit
        _main(sys.argv[1:] if argv is None else argv, obj)  # ends in SystemExit, as every command does
    try:
        _main(sys.argv[1:], obj)
    except SystemExit as exc:
        _exit_now(exc.code)


def _exit_now(code: object) -> None:
    """End the process once the command has ended: the exit handlers run and the output is
    flushed, but the objects the command made are not freed one by one, nor its modules torn down
    (0.05-0.13 s of a 1 s report: the overview's 50,000 light records, a register's rows)."""
    import atexit
    import os

    if isinstance(code, str):  # sys.exit("message"): printed, exit status 1, as Python does
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), or a closed stream
            pass
    os._exit(code if isinstance(code, int) else 0)


def _main(args: list[str], obj) -> None:
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    _STATE.clear()
    try:
        cli.main(args=args, prog_name="comptoir", standalone_mode=False, obj=obj)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        from comptoir.usage import reword

        shown = reword(exc)
        shown.show()
        sys.exit(shown.exit_code)
    except BaseException as exc:  # noqa: BLE001 - this is the one place failures become exit codes
        sys.exit(handle(exc, "--traceback" in args))
    finally:
        _forget_git()
    sys.exit(0)


def _forget_git() -> None:
    """What git told this command stays with it: the `cat-file` kept running ends, and where the
    repository is will be asked again (a script or a test runs many commands in one process,
    and the world may change between them)."""
    git = sys.modules.get("comptoir.book.git")
    if git is not None:
        git.forget()


def handle(exc: BaseException, traceback: bool) -> int:
    from comptoir.errors import ComptoirError

    if traceback:
        raise exc
    if isinstance(exc, ComptoirError):
        problems = exc.problems
        env = _STATE.get("env")
        if env is not None and any(p.code.startswith("unknown-") for p in problems):
            try:
                from comptoir.suggest import enrich

                problems = enrich(problems, env.root())
            except Exception:  # noqa: BLE001 - no book to suggest from: the error stands as it is
                pass
        _print_problems(problems)
        return 1
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 1
    if isinstance(exc, KeyboardInterrupt):
        click.echo("Interrupted; nothing was committed.", err=True)
        return 130
    from comptoir.book.git import GitError

    if isinstance(exc, GitError):
        from comptoir.errors import git_cause

        cause = git_cause(str(exc))
        if cause:
            click.echo(f"comptoir: error [{cause[0]}] git failed: {cause[1]}\n  git said: {exc}\n"
                       f"  hint: {cause[2]}; nothing was committed", err=True)
        else:
            click.echo(f"comptoir: error [git] {exc}", err=True)
        return 1
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, OSError):
        from comptoir.errors import os_problem

        _print_problems([os_problem(exc)])
        return 1
    if isinstance(exc, MemoryError):
        click.echo("comptoir: error [out-of-memory] the command ran out of memory\n  hint: split the input "
                   "into smaller batches (see the limits in `comptoir --help`); nothing was committed", err=True)
        return 1
    if isinstance(exc, RecursionError):
        click.echo("comptoir: error [too-deep] the input is nested too deeply to read\n  hint: records are "
                   "flat mappings and lists; nothing was committed", err=True)
        return 1
    click.echo(f"comptoir: internal error [{type(exc).__name__}] {exc}\n  hint: run again with --traceback "
               "and report it; nothing was committed", err=True)
    return 1
