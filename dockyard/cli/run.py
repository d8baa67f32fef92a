"""`dockyard run FILE ENTITY [--input value ...]`: run a task, workflow or launch plan in this process.

The entity's inputs become options built from its interface, so `--help` after ENTITY lists them with
their types and defaults, and each value is parsed from its declared type: JSON for dataclasses, lists and
dicts, paths for files and directories, enum values, ISO datetimes, durations (`1h30m` or `PT1H30M`).
flytekit's spelling (`--data_path`) and the dashed one (`--data-path`) both work. The result is printed as
JSON on stdout. Remote runs (`--remote`, the runtime's) will branch off in `run`, before `_run_local`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import click
import typer

from dockyard.errors import DockyardError

app = typer.Typer()


class InputError(DockyardError, ValueError):
    """An input given on the command line is missing, unknown or does not parse as its type."""

    exit_code = 2


_DURATION_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|us|w|d|h|m|s)")
_ISO_DURATION = re.compile(
    r"(?P<sign>[-+]?)P(?=[\dT])(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> dt.timedelta:
    """`1h30m`, `90s`, `1.5h`, `01:30:00`, ISO 8601 `PT1H30M` / `P1DT2H`, or bare seconds."""
    raw = text.strip()
    iso = _ISO_DURATION.fullmatch(raw)
    if iso:
        parts = {k: float(v) for k, v in iso.groupdict().items() if k != "sign" and v}
        delta = dt.timedelta(
            weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
            minutes=parts.get("m", 0), seconds=parts.get("s", 0),
        )  # fmt: skip
        return -delta if iso.group("sign") == "-" else delta
    if re.fullmatch(r"\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?", raw):
        pieces = [float(p) for p in raw.split(":")]
        hours, minutes, seconds = [*pieces, 0.0][:3]
        return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    try:
        return dt.timedelta(seconds=float(raw))
    except ValueError:
        pass
    compact = raw.replace(" ", "")
    matches = list(_DURATION_PART.finditer(compact))
    if not matches or "".join(m.group(0) for m in matches) != compact:
        raise ValueError(f"{text!r} is not a duration (e.g. 1h30m, 90s, PT1H)")
    return dt.timedelta(seconds=sum(float(m.group(1)) * _DURATION_UNITS[m.group(2)] for m in matches))


def parse_datetime(text: str) -> dt.datetime:
    """ISO 8601 (`2024-05-01`, `2024-05-01T02:00:00+00:00`, a trailing `Z`), or `now` / `today`."""
    raw = text.strip()
    if raw.lower() == "now":
        return dt.datetime.now(dt.timezone.utc)
    if raw.lower() == "today":
        return dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    return dt.datetime.fromisoformat(raw)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "y", "on"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "n", "off"}:
        return False
    raise ValueError(f"{value!r} is not a boolean (true/false)")


def _type_name(tp: Any) -> str:
    from dockyard.sdk.types.base import type_name

    return type_name(tp)


def _blob_kind(tp: Any) -> str | None:
    """'file', 'directory' or 'dataset' for the SDK's blob types (matched by class, format hints included)."""
    base = typing.get_origin(tp) or tp
    for cls in getattr(base, "__mro__", ()):
        if cls.__name__ == "FlyteFile":
            return "file"
        if cls.__name__ == "FlyteDirectory":
            return "directory"
        if cls.__name__ == "StructuredDataset":
            return "dataset"
    return None


def _path_value(kind: str, raw: str, tp: Any) -> Any:
    """Local paths must exist (a typo fails here, not inside the task); remote URIs pass through."""
    if "://" not in raw:
        path = Path(raw).expanduser()
        if kind == "directory" and not path.is_dir():
            raise ValueError(f"{raw!r} is not a directory")
        if kind != "directory" and not path.exists():
            raise ValueError(f"{raw!r} does not exist")
        raw = str(path.resolve())
    cls = typing.get_origin(tp) or tp
    if kind == "dataset":
        return cls(uri=raw)
    return tp(raw)


def _from_json_text(raw: Any, tp: Any) -> Any:
    """JSON text on the command line, or the path of a .json / .yaml file holding it."""
    if not isinstance(raw, str):
        return raw
    text = raw
    if raw.endswith((".json", ".yaml", ".yml")) and Path(raw).is_file():
        text = Path(raw).read_text()
        if raw.endswith((".yaml", ".yml")):
            import yaml

            return yaml.safe_load(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"expected JSON for {_type_name(tp)}: {exc.msg} at column {exc.colno}") from None


def coerce(value: Any, tp: Any, where: str) -> Any:
    """Turn a command-line string (or a JSON value inside one) into a Python value of type `tp`.

    Errors name the path inside the value: `--config.learning_rate: expected float, got 'fast'`.
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return coerce(value, args[0], where)
    if tp is typing.Any or tp is object:
        return _from_json_text(value, tp) if isinstance(value, str) and value[:1] in "[{" else value
    if origin in (typing.Union, types.UnionType):
        is_none = value is None or (isinstance(value, str) and value.strip().lower() in {"none", "null"})
        if is_none and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return coerce(value, option, where)
            except InputError as exc:
                errors.append(str(exc))
        raise InputError(
            errors[0] if len(errors) == 1 else f"{where}: no type of {_type_name(tp)} fits {value!r}"
        )
    try:
        return _coerce_plain(value, tp, origin, args, where)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{where}: {exc}") from None


def _coerce_plain(value: Any, tp: Any, origin: Any, args: tuple[Any, ...], where: str) -> Any:
    kind = _blob_kind(tp)
    if kind is not None:
        if not isinstance(value, str):
            raise ValueError(f"expected a path or URI for {_type_name(tp)}, got {value!r}")
        return _path_value(kind, value, tp)
    if tp is bool:
        return _bool(value)
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
            return int(value)
        raise ValueError(f"expected int, got {value!r}")
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected float, got {value!r}") from None
    if tp is str:
        if not isinstance(value, str):
            raise ValueError(f"expected str, got {value!r}")
        return value
    if tp is bytes:
        if not isinstance(value, str):
            raise ValueError(f"expected bytes as text, got {value!r}")
        return value.encode()
    if tp is dt.datetime:
        return value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if tp is dt.date:
        return dt.date.fromisoformat(str(value))
    if tp is dt.timedelta:
        return parse_duration(str(value))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if value in (member.value, member.name) or str(member.value) == str(value):
                return member
        allowed = ", ".join(str(m.value) for m in tp)
        raise ValueError(f"{value!r} is not one of {allowed}")
    if origin in (list, typing.List, tuple) or tp in (list, tuple):  # noqa: UP006
        items = _from_json_text(value, tp)
        if not isinstance(items, list):
            raise ValueError(f"expected a JSON list for {_type_name(tp)}, got {type(items).__name__}")
        item_type = args[0] if args else typing.Any
        return [coerce(item, item_type, f"{where}[{i}]") for i, item in enumerate(items)]
    if origin in (dict, typing.Dict) or tp is dict:  # noqa: UP006
        mapping = _from_json_text(value, tp)
        if not isinstance(mapping, dict):
            raise ValueError(f"expected a JSON object for {_type_name(tp)}, got {type(mapping).__name__}")
        value_type = args[1] if len(args) == 2 else typing.Any
        return {k: coerce(v, value_type, f"{where}[{k!r}]") for k, v in mapping.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(value, tp, where)
    if _is_dataframe(tp):
        return _dataframe(value)
    raise ValueError(f"values of type {_type_name(tp)} cannot be given on the command line")


def _dataclass(value: Any, tp: type, where: str) -> Any:
    fields_in = _from_json_text(value, tp)
    if not isinstance(fields_in, dict):
        raise ValueError(f"expected a JSON object for {tp.__name__}, got {type(fields_in).__name__}")
    hints = typing.get_type_hints(tp, include_extras=True)
    known = {f.name for f in dataclasses.fields(tp) if f.init}
    unknown = sorted(set(fields_in) - known)
    if unknown:
        raise InputError(f"{where}: {tp.__name__} has no field {unknown[0]!r}")
    built = {name: coerce(v, hints[name], f"{where}.{name}") for name, v in fields_in.items()}
    try:
        return tp(**built)
    except TypeError as exc:
        raise InputError(f"{where}: {exc}") from None


def _is_dataframe(tp: Any) -> bool:
    return getattr(tp, "__module__", "").startswith("pandas") and getattr(tp, "__name__", "") == "DataFrame"


def _dataframe(value: Any) -> Any:
    """A pandas DataFrame from a parquet or CSV file."""
    import pandas as pd

    path = Path(str(value))
    if not path.is_file():
        raise ValueError(f"{value!r} is not a parquet or CSV file")
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)


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
    kind = _blob_kind(type(value))
    if kind is not None:
        return str(getattr(value, "uri", None) or getattr(value, "path", None) or value)
    if type(value).__name__ == "DataFrame" and hasattr(value, "to_dict"):
        return value.to_dict(orient="records")
    return repr(value)


def _load(file: Path, name: str) -> Any:
    """The task, workflow or launch plan `name` defined in `file`.

    The file is imported as part of the local execution, so `ImageSpec.is_container()` guards at module
    level (the seed's `if image.is_container(): import ...`) import what the task bodies will use.
    """
    from dockyard.sdk.context import ExecutionIdentifier, ExecutionParameters, task_context
    from dockyard.sdk.entities import Entity, load_entity
    from dockyard.sdk.launch_plan import LaunchPlan

    if not file.is_file():
        raise InputError(f"{file}: no such file")
    loading = ExecutionParameters(ExecutionIdentifier("local", "local", "dockyard-run"), local=True)
    with task_context(loading):
        entity = load_entity(str(file), name)
    if not isinstance(entity, Entity | LaunchPlan):
        raise InputError(
            f"{file}: '{name}' is a {type(entity).__name__}, not a task, workflow or launch plan"
        )
    return entity


_KINDS = {"task": "task", "workflow": "workflow", "dynamic": "dynamic workflow", "map": "map task"}


def _describe(entity: Any) -> str:
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
    if _blob_kind(base):
        return "a local path or a URI"
    if base is dt.datetime:
        return "ISO 8601 datetime, or now / today"
    if base is dt.timedelta:
        return "duration: 1h30m, 90s or PT1H30M"
    if base is bool:
        return "true / false"
    if typing.get_origin(base) in (list, dict) or base in (list, dict) or dataclasses.is_dataclass(base):
        return "JSON, or a .json / .yaml file"
    return _type_name(base)


def _input_command(entity: Any, prog: str, given: list[dict[str, str]]) -> click.Command:
    """A click command whose options are the entity's inputs; its callback only collects the raw strings."""
    from dockyard.sdk.types.base import type_name

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
        help=_describe(entity),
        callback=lambda **raw: given.append({k: v for k, v in raw.items() if v is not None}),
        context_settings={"help_option_names": ["--help", "-h"]},
    )


def parse_inputs(entity: Any, args: list[str], prog: str) -> dict[str, Any] | None:
    """Python values of the entity's inputs from `args`; None when `--help` was asked for (and printed)."""
    given: list[dict[str, str]] = []
    try:
        _input_command(entity, prog, given).main(args=args, prog_name=prog, standalone_mode=False)
    except click.UsageError as exc:
        raise InputError(exc.format_message().replace("\n", " ")) from None
    if not given:  # --help: printed, nothing to run
        return None
    iface = entity.interface
    values = {name: coerce(raw, iface.inputs[name], f"--{name}") for name, raw in given[0].items()}
    missing = [n for n in iface.inputs if n not in values and n not in iface.defaults]
    if missing:
        raise InputError(f"missing input --{missing[0]} ({_type_name(iface.inputs[missing[0]])})")
    return values


def _show_event(event: Any) -> None:
    """Cache hits, cache writes and retries on stderr, so stdout stays pure JSON."""
    from rich.console import Console

    messages = {
        "cache_hit": "cache hit",
        "cache_put": "cached",
        "retry": "retrying",
        "map_failure": "map item failed",
    }
    if event.kind in messages:
        detail = f" ({event.detail})" if event.detail else ""
        Console(stderr=True, soft_wrap=True).print(
            f"[dim]{messages[event.kind]}: task {event.task}{detail}[/dim]", highlight=False
        )


def _user_traceback(exc: BaseException) -> str:
    """The traceback of a failure in user code, without dockyard's own frames."""
    import traceback

    import dockyard

    ours = str(Path(dockyard.__file__).parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(ours)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    return "".join(lines + traceback.format_exception_only(exc)).rstrip()


def _run_local(entity: Any, inputs: dict[str, Any], overwrite_cache: bool) -> Any:
    """Execute in this process; a failure in user code becomes one line (its traceback goes to stderr)."""
    from dockyard.sdk import local
    from dockyard.sdk.launch_plan import LaunchPlan

    if isinstance(entity, LaunchPlan):
        inputs, entity = entity.merged_inputs(inputs), entity.workflow
    try:
        return local.run(entity, inputs, overwrite_cache=overwrite_cache, on_event=_show_event)
    except DockyardError as exc:
        flat = " ".join(str(exc).split())
        if flat == str(exc):
            raise
        one_line = DockyardError(flat)  # the CLI prints one line; the exit code stays the error's
        one_line.exit_code = exc.exit_code
        raise one_line from exc
    except Exception as exc:
        from dockyard.errors import ExecutionError

        typer.echo(_user_traceback(exc), err=True)
        message = " ".join(str(exc).split())
        if entity.name not in message:
            message = f"{entity.name}: {message}"
        raise ExecutionError(f"{type(exc).__name__}: {message}") from exc


@app.command(
    "run",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
)
def run(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Python file that defines the entity.", show_default=False),
    entity: str | None = typer.Argument(
        None, help="Task, workflow or launch plan to run.", show_default=False
    ),
    overwrite_cache: bool = typer.Option(
        False, "--overwrite-cache", help="Run cached tasks again and replace their cached outputs."
    ),
    remote: bool = typer.Option(False, "--remote", help="Build images and run each task in a container."),
    resume: str | None = typer.Option(None, "--resume", help="Resume a remote execution by id."),
    registered: str | None = typer.Option(
        None, "--registered", help="Run a registered NAME[:VERSION] remotely (no FILE)."
    ),
    project: str = typer.Option("dockyard", "--project", help="Project of --registered."),
    domain: str = typer.Option("development", "--domain", help="Domain of --registered."),
    backend: str | None = typer.Option(
        None, "--backend", help="Where --remote tasks run: docker or kubernetes (default: executor.backend)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With --remote --backend kubernetes: print the manifests, apply nothing."
    ),
) -> None:
    """Run a task, workflow or launch plan locally; inputs are options (see FILE ENTITY --help)."""
    if registered:
        from dockyard.cli.remote import run_registered_command

        extra = [str(a) for a in (file, entity) if a is not None] + list(ctx.args)
        run_registered_command(registered, extra, project=project, domain=domain)
        return
    asked_help = {"--help", "-h"} & {str(file), str(entity)}
    if file is None or entity is None or asked_help:
        if asked_help or {"--help", "-h"} & set(ctx.args):
            typer.echo(ctx.get_help())
            return
        raise InputError(
            f"missing {'FILE' if file is None else 'ENTITY'}: dockyard run FILE ENTITY [--input value ...]"
        )
    if remote or resume or dry_run:
        from dockyard.cli.remote import run_remote_command

        run_remote_command(file, entity, list(ctx.args), resume=resume, backend=backend, dry_run=dry_run)
        return
    target = _load(file, entity)
    inputs = parse_inputs(target, list(ctx.args), f"dockyard run {file} {entity}")
    if inputs is None:
        return
    result = _run_local(target, inputs, overwrite_cache)
    typer.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False))
