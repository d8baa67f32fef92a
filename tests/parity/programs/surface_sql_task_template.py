"""SQL tasks fill `{{ .inputs.x }}` placeholders; `get_query` shows the query that would run."""

from flytekit import SQLTask, kwtypes
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task

q = SQLite3Task(
    name="top_n",
    query_template="""
        select * from tracks
        where genre = '{{ .inputs.genre }}'
        limit {{.inputs.n}}
    """,
    inputs=kwtypes(genre=str, n=int),
    task_config=SQLite3Config(uri="tracks.db"),
)
print(isinstance(q, SQLTask))
print(q.query_template)
print(q.get_query(genre="jazz", n=5))
try:
    q.get_query(genre="jazz", n=5, extra=1)
except ValueError as exc:
    print("ValueError", str(exc).split(" - ")[0])
