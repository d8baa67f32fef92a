"""numpy arrays (flytekit's NumpyArrayTransformer): stored as a `.npy` file, hashed by content.

numpy is only imported when an array is written or read.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from dockyard.sdk.types import transfer
from dockyard.sdk.types.base import Transformer
from dockyard.sdk.types.errors import mismatch
from dockyard.sdk.types.literal import Literal, kind_of

FORMAT = "NumpyArray"  # flytekit's blob format name for arrays


def is_ndarray_type(t: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and t is np.ndarray


class NumpyTransformer(Transformer):
    name = "ndarray"

    def to_literal(self, value: Any) -> Literal:
        if not is_ndarray_type(type(value)):
            raise mismatch(self.name, type(value).__name__)
        import numpy as np

        with tempfile.TemporaryDirectory(prefix="dockyard-np-") as tmp:
            path = Path(tmp) / "array.npy"
            np.save(path, value, allow_pickle=False)
            uri = transfer.persist(path, directory=False)
        digest = hashlib.sha256(f"{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
        return {
            "blob": {"uri": uri, "format": FORMAT, "dimensionality": "single"},
            "hash": "sha256:" + digest.hexdigest(),
        }

    def to_python(self, literal: Literal) -> Any:
        if "blob" not in literal:
            raise mismatch(self.name, f"{kind_of(literal)} literal")
        import numpy as np

        return np.load(
            transfer.materialize(literal["blob"]["uri"], transfer.current_blob_store()), allow_pickle=False
        )

    def literal_type(self) -> dict[str, Any]:
        return {"blob": {"format": FORMAT, "dimensionality": "single"}}
