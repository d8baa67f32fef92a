"""The pickle fallback: types with no transformer travel as pickles (flytekit's FlytePickle), with a warning.

Small pickles are inlined in the literal as base64; larger ones are stored like a file.
"""

from __future__ import annotations

import base64
import pickle
import tempfile
import typing
from pathlib import Path
from typing import Any

from dockyard.sdk.types import transfer
from dockyard.sdk.types.base import Transformer, type_name
from dockyard.sdk.types.errors import TypeTransformerFailedError, mismatch
from dockyard.sdk.types.literal import Literal, kind_of

INLINE_LIMIT = 64 * 1024  # bytes of pickle kept inside the literal
PICKLE_PROTOCOL = 5  # pinned, so literals (and cache keys) do not change with the Python version


class FlytePickle:
    """Annotate with `FlytePickle` to send any object as a pickle, without the fallback's warning."""


class PickleTransformer(Transformer):
    def __init__(self, python_type: Any) -> None:
        self.python_type = python_type
        self.name = type_name(python_type)
        checkable = isinstance(python_type, type) and not is_pickle_annotation(python_type)
        self.check: type | None = python_type if checkable else None

    def to_literal(self, value: Any) -> Literal:
        if self.check is not None and not isinstance(value, self.check):
            raise mismatch(self.name, type(value).__name__)
        try:
            data = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
        except Exception as exc:  # pickling runs arbitrary __reduce__ code
            raise TypeTransformerFailedError(f"cannot pickle {type(value).__name__}: {exc}") from None
        if len(data) <= INLINE_LIMIT:
            return {"pickle": {"b64": base64.b64encode(data).decode("ascii")}}
        with tempfile.TemporaryDirectory(prefix="dockyard-pickle-") as tmp:
            path = Path(tmp) / "value.pkl"
            path.write_bytes(data)
            return {"pickle": {"uri": transfer.persist(path, directory=False)}}

    def to_python(self, literal: Literal) -> Any:
        if "pickle" not in literal:
            raise mismatch(self.name, f"{kind_of(literal)} literal")
        body = literal["pickle"]
        if "b64" in body:
            return pickle.loads(base64.b64decode(body["b64"]))
        return pickle.loads(
            Path(transfer.materialize(body["uri"], transfer.current_blob_store())).read_bytes()
        )

    def literal_type(self) -> dict[str, Any]:
        t = self.python_type
        module = getattr(t, "__module__", "")
        qualname = getattr(t, "__qualname__", type_name(t))
        return {"pickle": f"{module}.{qualname}" if module and module != "typing" else type_name(t)}


def is_pickle_annotation(t: Any) -> bool:
    return t is FlytePickle or t is typing.Any
