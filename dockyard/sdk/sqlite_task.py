"""`SQLite3Task`: run a query against a SQLite file (local path or URL, optionally archived) into a frame.

The query's `{{ .inputs.x }}` placeholders are filled with the inputs (flytekit's SQL templating); the
result is a pandas DataFrame handed back as the declared output type (a `StructuredDataset` by default).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from typing import Any

from dockyard.sdk.flyte_context import FlyteContextManager
from dockyard.sdk.instance_task import PythonInstanceTask
from dockyard.sdk.types import StructuredDataset

_INPUT = re.compile(r"({{\s*.inputs.(\w+)\s*}})", re.IGNORECASE)


@dataclass
class SQLite3Config:
    """Where the database file is (`uri`: a path or URL) and whether it is an archive to unpack."""

    uri: str
    compressed: bool = False


def unarchive_file(local_path: str, to_dir: str) -> str:
    """Unpack an archive that holds exactly one file and return that file's path."""
    archive_dir = os.path.join(to_dir, "_arch")
    shutil.unpack_archive(local_path, archive_dir)
    files = os.listdir(archive_dir)
    if len(files) != 1:
        raise RuntimeError(f"Uncompressed archive should contain only one file - found {files}!")
    return os.path.join(archive_dir, files[0])


class SQLTask(PythonInstanceTask):
    """A task whose body is a query template (flytekit's `SQLTask`): `{{ .inputs.x }}` placeholders."""

    def __init__(self, name: str, query_template: str, task_config: Any = None, **kwargs: Any) -> None:
        self._query_template = re.sub(r"\s+", " ", query_template).strip()
        super().__init__(name, task_config, kwargs.pop("task_type", "sql_task"), **kwargs)

    @property
    def query_template(self) -> str:
        return self._query_template

    def get_query(self, **kwargs: Any) -> str:
        return self.interpolate_query(self._query_template, **kwargs)

    @staticmethod
    def interpolate_query(query_template: str, **kwargs: Any) -> str:
        """Fill `{{ .inputs.x }}` with `str(x)`; every input must be used, every placeholder given."""
        query, matched = query_template, set()
        for match in _INPUT.finditer(query_template):
            expr, var = match.groups()
            if var not in kwargs:
                raise ValueError(
                    f"Variable {var} in Query (part of {expr}) not found in inputs {kwargs.keys()}"
                )
            matched.add(var)
            query = query.replace(expr, str(kwargs[var]))
        if len(matched) < len(kwargs):
            raise ValueError(
                f"Extra Inputs have no matches in query template - missing {set(kwargs) - matched}"
            )
        return query


class SQLite3Task(SQLTask):
    """A query against a SQLite database; output `results`."""

    def __init__(
        self,
        name: str,
        query_template: str,
        inputs: dict[str, Any] | None = None,
        task_config: SQLite3Config | None = None,
        output_schema_type: Any = None,
        container_image: str | None = None,
        **kwargs: Any,
    ) -> None:
        if task_config is None or task_config.uri is None:
            raise ValueError("SQLite DB uri is required.")
        self._output_type = output_schema_type or StructuredDataset
        super().__init__(
            name,
            query_template,
            task_config,
            task_type="sqlite",
            inputs=inputs or {},
            outputs={"results": self._output_type},
            container_image=container_image,
            **kwargs,
        )

    def execute(self, **kwargs: Any) -> Any:
        import pandas as pd

        config: SQLite3Config = self.task_config
        with tempfile.TemporaryDirectory() as temp_dir:
            local_path = os.path.join(temp_dir, os.path.basename(config.uri))
            FlyteContextManager.current_context().file_access.get_data(config.uri, local_path)
            if config.compressed:
                local_path = unarchive_file(local_path, temp_dir)
            print(f"Connecting to db {local_path}")
            query = self.get_query(**kwargs)
            print(f"Interpolated query {query}")
            with contextlib.closing(sqlite3.connect(local_path)) as con:
                frame = pd.read_sql_query(query, con)
        if self._output_type is StructuredDataset:
            return StructuredDataset(dataframe=frame)
        return frame
