"""flytekit's StructuredDataset encoders and decoders: users' code that stores and reads other frame types.

pandas and pyarrow frames are built in (`structured.py`). A user registers an encoder (frame → stored
data, returning `literals.StructuredDataset(uri, metadata)`) and a decoder (stored data → frame) for any
other type, e.g. numpy arrays; `StructuredDataset(dataframe=array)` is then stored by the encoder and
`sd.open(numpy.ndarray).all()` read by the decoder, as flytekit does. Both receive flytekit's context
(`ctx.file_access` for paths and copies).
"""

from __future__ import annotations

from typing import Any

_ENCODERS: dict[type, StructuredDatasetEncoder] = {}
_DECODERS: dict[type, StructuredDatasetDecoder] = {}


class _Handler:
    def __init__(self, python_type: type, protocol: str | None = None, supported_format: str | None = None):
        self._python_type = python_type
        self._protocol = protocol.replace("://", "") if protocol else None
        self._supported_format = supported_format or ""

    @property
    def python_type(self) -> type:
        return self._python_type

    @property
    def protocol(self) -> str | None:
        return self._protocol

    @property
    def supported_format(self) -> str:
        return self._supported_format


class StructuredDatasetEncoder(_Handler):
    """Stores a frame of `python_type`: `encode` returns the stored data's `literals.StructuredDataset`."""

    def encode(self, ctx: Any, structured_dataset: Any, structured_dataset_type: Any) -> Any:
        raise NotImplementedError


class StructuredDatasetDecoder(_Handler):
    """Reads stored data as a frame of `python_type`."""

    def decode(self, ctx: Any, flyte_value: Any, current_task_metadata: Any) -> Any:
        raise NotImplementedError


def register(
    handler: StructuredDatasetEncoder | StructuredDatasetDecoder,
    default_for_type: bool = False,
    override: bool = False,
    default_format_for_type: bool = False,
    default_storage_for_type: bool = False,
) -> None:
    """Use `handler` for its python type (the latest registration wins; formats and protocols are the
    handler's own business, there being one store per run)."""
    if isinstance(handler, StructuredDatasetEncoder):
        _ENCODERS[handler.python_type] = handler
    elif isinstance(handler, StructuredDatasetDecoder):
        _DECODERS[handler.python_type] = handler
    else:
        raise TypeError(f"We don't support this type of handler {handler}")


def register_renderer(python_type: type, renderer: Any) -> None:
    """Accepted and unused: flytekit renders frame outputs into decks with it; dockyard's decks hold only
    what a task publishes itself."""


def encoder_for(frame: Any) -> StructuredDatasetEncoder | None:
    return _ENCODERS.get(type(frame))


def decoder_for(python_type: Any) -> StructuredDatasetDecoder | None:
    return _DECODERS.get(python_type) if isinstance(python_type, type) else None


def context() -> Any:
    from dockyard.sdk.flyte_context import FlyteContextManager

    return FlyteContextManager.current_context()


def register_builtin_handlers() -> None:
    """flytekit's `register_csv_handlers()` and friends: dockyard reads and writes pandas and pyarrow
    frames as parquet and CSV without registration, so there is nothing to add."""
