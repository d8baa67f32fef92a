"""SQLite3Task with a zipped database: `compressed=True` unpacks it before the query."""

import contextlib
import io
import os
import shutil
import sqlite3

import pandas as pd
from flytekit import kwtypes
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task

os.makedirs("db", exist_ok=True)
with contextlib.closing(sqlite3.connect("db/people.db")) as con:
    con.execute("create table people (name text, age integer)")
    con.executemany("insert into people values (?, ?)", [("ann", 31), ("bob", 27), ("cy", 45)])
    con.commit()
archive = shutil.make_archive("people", "zip", "db")

older = SQLite3Task(
    name="older_than",
    query_template="select name from people where age > {{ .inputs.age }} order by name",
    inputs=kwtypes(age=int),
    output_schema_type=pd.DataFrame,
    task_config=SQLite3Config(uri=os.path.abspath(archive), compressed=True),
)

with contextlib.redirect_stdout(io.StringIO()):
    frame = older(age=30)
print(frame["name"].tolist())
