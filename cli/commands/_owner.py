"""`--owner me`: who "me" is, for the commands that store an owner and those that filter by one.
Light on imports: the options that use it are built whenever their group loads."""

from __future__ import annotations


def me_identity(env) -> tuple[str | None, set[str]]:
    """Who `--owner me` is: the name a write stores ($COMPTOIR_USER, its name part when it is
    'Name <email>'; else git's user.name), and the lower-cased names an owner filter matches
    (that name, its first word, the email and the email's local part)."""
    import os
    import subprocess

    from comptoir.book.git import comptoir_user

    name, email = comptoir_user()
    if not name:
        root = env.root()
        cwd = str(root.top or root.path)

        def config(key: str) -> str:
            proc = subprocess.run(["git", "config", key], cwd=cwd, capture_output=True, text=True)
            return proc.stdout.strip() if proc.returncode == 0 else ""

        # git's own fallbacks when nothing is configured (a CI job sets these)
        name = config("user.name") or os.environ.get("GIT_AUTHOR_NAME", "").strip()
        email = config("user.email") or os.environ.get("GIT_AUTHOR_EMAIL", "").strip()
    names = {n.lower() for n in (name, name.split()[0] if name.split() else "", email,
                                 email.split("@", 1)[0]) if n}
    return (name or None), names


def owner_option(ctx, param, value: str | None) -> str | None:
    """Click callback for an --owner a write stores: `me` becomes who you are (see me_identity)."""
    if value is None or value.strip().lower() != "me":
        return value
    name, _ = me_identity(ctx.obj)
    if not name:
        from comptoir.errors import fail

        raise fail("who-is-me", "--owner me needs to know who you are",
                   "set COMPTOIR_USER='Your Name', or `git config user.name 'Your Name'`")
    return name


def settle_me(env, book) -> None:
    """`crm.owner: me` in comptoir.yaml means whoever runs the command (each colleague's own
    leads): this command's settings get that name; the file keeps `me`."""
    crm = book.settings.crm
    if crm.owner is None or crm.owner.strip().lower() != "me":
        return
    name, _ = me_identity(env)
    if not name:
        from comptoir.errors import fail

        raise fail("who-is-me", "crm.owner in comptoir.yaml is `me`, which needs to know who you are",
                   "set COMPTOIR_USER='Your Name', or `git config user.name 'Your Name'`")
    book.settings = book.settings.model_copy(update={"crm": crm.model_copy(update={"owner": name})})
