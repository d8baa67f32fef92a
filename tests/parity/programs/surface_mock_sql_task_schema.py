"""The testing guide's example: an SQLTask that cannot run locally is mocked, with task_mock and patch."""

import datetime

import pandas
from flytekit import SQLTask, TaskMetadata, kwtypes, task, workflow
from flytekit.testing import patch, task_mock
from flytekit.types.schema import FlyteSchema

query = SQLTask(
    "airport-sessions",
    query_template="SELECT * FROM sessions WHERE ds = '{{ .Inputs.ds }}' LIMIT 10",
    inputs=kwtypes(ds=datetime.datetime),
    outputs=kwtypes(results=FlyteSchema),
    metadata=TaskMetadata(retries=2),
)


@task
def today() -> datetime.datetime:
    return datetime.datetime(2024, 5, 1)


@workflow
def sessions() -> FlyteSchema:
    return query(ds=today())


frame = pandas.DataFrame(data={"x": [1, 2], "y": ["3", "4"]})

with task_mock(query) as mock:
    mock.return_value = frame
    got = sessions().open().all()
    print(got)
    print((got == frame).all().all())
    print(mock.call_args.kwargs["ds"])


@patch(query)
def test_sessions(mocked):
    mocked.return_value = frame
    return sessions().open().all().shape


print(test_sessions())
try:
    sessions()
except Exception as e:
    print("unmocked:", type(e).__name__)
