"""The loraprep command line: global options, command registration, and the error contract."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from loraprep import __version__

INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C


class _ErrorContract(TyperGroup):
    """Every command runs under the error contract here, inside the app, so that whatever invokes the app (the
    console script, typer's CliRunner, an embedding program) gets the same one-line message and exit code."""

    def __init__(self, *args, **kwargs):
        from loraprep.cli.state_dir_option import add_state_dir_option

        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            add_state_dir_option(command)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:  # noqa: BLE001 - the contract is: no traceback unless asked for
            from loraprep import settings

            # Usage errors, --help and exits are the command-line parser's (click, which typer may vendor).
            if settings.debug() or type(exc).__module__.split(".")[0] in ("click", "typer"):
                raise
            _report(exc)


app = typer.Typer(
    cls=_ErrorContract,
    name="loraprep",
    help="Turn a folder of raw images into a training-ready LoRA dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"loraprep {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Every command prints one JSON document on stdout."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    ctx.obj = {"json": json_output}


def _register() -> None:
    from loraprep.cli import commands

    if app.registered_commands:  # main() can run more than once in a process (tests, embedding)
        return
    for register in commands.REGISTRY:
        register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: LoraprepError -> one line + hint, exit 1; traceback only with LORAPREP_DEBUG=1."""
    from loraprep import settings

    _register()
    try:
        app(args=argv, standalone_mode=True)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # Typer turns Ctrl-C inside a command into a silent exit 130
            _interrupted()
        raise
    except Exception as exc:  # noqa: BLE001 - the contract is: no traceback unless asked for
        if settings.debug():
            raise
        _report(exc)


def _report(exc: Exception) -> None:
    """A LoraprepError as its message and hint; a full disk as what it is; anything else as an internal error."""
    from loraprep.errors import LoraprepError, disk_full

    known = exc if isinstance(exc, LoraprepError) else disk_full(exc)
    if known is not None:
        _fail(f"error: {known.message}", known.hint, known.exit_code)
    _fail(f"internal error: {type(exc).__name__}: {exc}", "run again with LORAPREP_DEBUG=1 for the traceback "
          "and report it", 1)


def _interrupted() -> None:
    _fail("interrupted: everything committed so far is kept", "run the same command again to continue", INTERRUPTED)


def _fail(message: str, hint: str | None, code: int) -> None:
    from loraprep.ops import printable

    sys.stderr.write(printable(message) + "\n")  # one line, whatever file name the message holds
    if hint:
        sys.stderr.write(f"hint: {printable(hint)}\n")
    sys.exit(code)
