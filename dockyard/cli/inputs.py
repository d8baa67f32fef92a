"""An entity's inputs as command-line options, and outputs as JSON: the CLI's side of typed values.

Each input becomes an option built from the entity's interface (`--help` after ENTITY lists them with their
types and defaults); flytekit's spelling (`--data_path`) and the dashed one (`--data-path`) both work. The
text of each value is read by the type system (`dockyard.sdk.types.from_text`), not here.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from typing import Any

import click

from dockyard.sdk.types.base import type_name
from dockyard.sdk.types.from_text import TextValueError, blob_kind, from_text


class InputError(TextValueError):
    """An input given on the command line is missing, unknown or does not parse as its type."""


def to_json(value: Any) -> Any:
    """A JSON-able view of an output: dataclasses and named tuples as objects, files as their paths."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return base64.b64encode(value).decode()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: to_json(getattr(value, name)) for name in value._fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json(v) for v in value]
    kind = blob_kind(type(value))
    if kind is not None:
        return str(getattr(value, "uri", None) or getattr(value, "path", None) or value)
    if type(value).__name__ == "DataFrame" and hasattr(value, "to_dict"):
        return value.to_dict(orient="records")
    return repr(value)


_KINDS = {"task": "task", "workflow": "workflow", "dynamic": "dynamic workflow", "map": "map task"}


def describe(entity: Any) -> str:
    """`Run workflow pkg.wf.` and the first line of its docstring, for `--help`."""
    from dockyard.sdk.launch_plan import LaunchPlan

    if isinstance(entity, LaunchPlan):
        title, doc = f"launch plan {entity.name} of workflow {entity.workflow.name}", entity.workflow.__doc__
    else:
        title, doc = f"{_KINDS.get(entity.node_kind, entity.node_kind)} {entity.name}", entity.__doc__
    lines = (doc or "").strip().splitlines()
    return f"Run {title}." + (f"\n\n{lines[0]}" if lines else "")


def _hint(tp: Any) -> str:
    """How to spell a value of `tp` on the command line."""
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        return " or ".join(_hint(a) for a in typing.get_args(base) if a is not type(None))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of " + " | ".join(str(m.value) for m in base)
    if blob_kind(base):
        return "a local path or a URI"
    if base is dt.datetime:
        return "ISO 8601 datetime, or now / today"
    if base is dt.timedelta:
        return "duration: 1h30m, 90s or PT1H30M"
    if base is bool:
        return "true / false"
    if typing.get_origin(base) in (list, dict) or base in (list, dict) or dataclasses.is_dataclass(base):
        return "JSON, or a .json / .yaml file"
    return type_name(base)


def _input_command(entity: Any, prog: str, given: list[dict[str, str]]) -> click.Command:
    """A click command whose options are the entity's inputs; its callback only collects the raw strings."""
    iface = entity.interface
    params: list[click.Parameter] = []
    for name, tp in iface.inputs.items():
        decls = [f"--{name}"]
        if "_" in name:
            decls.append(f"--{name.replace('_', '-')}")
        if name in iface.defaults:
            shown = json.dumps(to_json(iface.defaults[name]))
            help_text = f"{_hint(tp)}  [default: {shown}]"
        else:
            help_text = f"{_hint(tp)}  [required]"
        # a bool input also works as a bare flag (`--flag` means true), like pyflyte's
        flag: dict[str, Any] = {"is_flag": False, "flag_value": "true"} if tp is bool else {}
        params.append(
            click.Option(
                [*decls, name],
                type=click.STRING,
                default=None,
                help=help_text,
                metavar=type_name(tp).upper(),
                show_default=False,
                **flag,
            )
        )
    return click.Command(
        prog,
        params=params,
        help=describe(entity),
        callback=lambda **raw: given.append({k: v for k, v in raw.items() if v is not None}),
        context_settings={"help_option_names": ["--help", "-h"]},
    )


def _misplaced(flag: str) -> str | None:
    """An option of the running command (`dockyard run --remote`) given after ENTITY: say where it goes."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not any(flag in p.opts + p.secondary_opts for p in ctx.command.params):
        return None
    command = f"dockyard {ctx.info_name}"
    return f"{flag} is an option of {command}: put it before FILE ({command} {flag} FILE …)"


def parse_inputs(entity: Any, args: list[str], prog: str) -> dict[str, Any] | None:
    """Python values of the entity's inputs from `args`; None when `--help` was asked for (and printed)."""
    given: list[dict[str, str]] = []
    try:
        _input_command(entity, prog, given).main(args=args, prog_name=prog, standalone_mode=False)
    except click.NoSuchOption as exc:
        raise InputError(_misplaced(exc.option_name) or exc.format_message()) from None
    except click.UsageError as exc:
        raise InputError(exc.format_message().replace("\n", " ")) from None
    if not given:  # --help: printed, nothing to run
        return None
    iface = entity.interface
    values = {name: from_text(raw, iface.inputs[name], f"--{name}") for name, raw in given[0].items()}
    missing = [n for n in iface.inputs if n not in values and n not in iface.defaults]
    if missing:
        raise InputError(f"missing input --{missing[0]} ({type_name(iface.inputs[missing[0]])})")
    return values
