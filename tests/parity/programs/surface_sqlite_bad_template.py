"""A query placeholder with no matching input fails before touching the database."""

import contextlib
import io

from flytekit import kwtypes
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task

q = SQLite3Task(
    name="bad_query",
    query_template="select * from t where x = {{ .inputs.missing }}",
    inputs=kwtypes(limit=int),
    task_config=SQLite3Config(uri="nowhere.db"),
)
try:
    with contextlib.redirect_stdout(io.StringIO()):
        q(limit=1)
except Exception as exc:
    print(type(exc).__name__)
