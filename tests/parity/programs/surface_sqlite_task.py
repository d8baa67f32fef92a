"""SQLite3Task runs a templated query against a SQLite file and returns the rows as a data frame."""

import contextlib
import io
import os
import sqlite3

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task

db = os.path.abspath("tracks.db")
with contextlib.closing(sqlite3.connect(db)) as con:
    con.execute("create table tracks (TrackId integer, Name text)")
    con.executemany("insert into tracks values (?, ?)", [(i, f"song {i}") for i in range(10)])
    con.commit()

query = SQLite3Task(
    name="tracks_query",
    query_template="select TrackId, Name from tracks limit {{.inputs.limit}}",
    inputs=kwtypes(limit=int),
    output_schema_type=pd.DataFrame,
    task_config=SQLite3Config(uri=db),
)


@task
def names(df: pd.DataFrame) -> list[str]:
    return df["Name"].tolist()


@workflow
def wf(limit: int) -> list[str]:
    return names(df=query(limit=limit))


with contextlib.redirect_stdout(io.StringIO()):  # the task prints its temp path
    result = wf(limit=3)
print(result)
