"""flytekit's deprecated `FlyteSchema`: a StructuredDataset whose `open()` reads pandas by default.

Older examples still declare `FlyteSchema[kwtypes(a=int)]` outputs (SQLite3Task's default in flytekit); the
column subscript is accepted and the value travels as a structured dataset.
"""

from __future__ import annotations

import typing
from typing import Any

from dockyard.sdk.types.structured import StructuredDataset


class FlyteSchema(StructuredDataset):
    """A data frame by reference, read back with `open().all()`."""

    def __class_getitem__(cls, columns: Any) -> Any:
        return typing.Annotated[cls, dict(columns)]

    def open(self, dataframe_type: Any = None) -> StructuredDataset:
        if dataframe_type is None:
            import pandas as pd

            dataframe_type = pd.DataFrame
        return super().open(dataframe_type)
