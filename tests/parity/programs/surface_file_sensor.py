"""A FileSensor waits for a file before the task ordered after it runs; a custom sensor pokes its inputs."""

import contextlib
import io
import os
import tempfile

from flytekit import task, workflow
from flytekit.sensor.base_sensor import BaseSensor
from flytekit.sensor.file_sensor import FileSensor

folder = tempfile.mkdtemp()
marker = os.path.join(folder, "ready.txt")
with open(marker, "w") as handle:
    handle.write("ready")

wait_for_file = FileSensor(name="wait_for_file")
print(type(wait_for_file).__name__, wait_for_file.name, wait_for_file.task_type)
print(list(wait_for_file.python_interface.inputs), dict(wait_for_file.python_interface.outputs))


class CountdownSensor(BaseSensor):
    """Ready when the counter it is given has reached zero."""

    def __init__(self, name: str, **kwargs):
        super().__init__(name=name, **kwargs)

    async def poke(self, remaining: int) -> bool:
        print("poked with", remaining)
        return remaining <= 0


countdown = CountdownSensor(name="countdown")


@task
def process(path: str) -> str:
    with open(path) as handle:
        return handle.read().upper()


@workflow
def pipeline(path: str) -> str:
    ready = wait_for_file(path=path)
    done = countdown(remaining=0)
    result = process(path=path)
    ready >> done
    done >> result
    return result


# flytekit's local sensor run draws a progress display on stdout: keep only what the tasks printed
captured = io.StringIO()
with contextlib.redirect_stdout(captured):
    result = pipeline(path=marker)
print([line for line in captured.getvalue().splitlines() if line.strip()], result)

try:
    FileSensor(name="both", timeout=5, metadata=__import__("flytekit").TaskMetadata(timeout=3))
except ValueError as e:
    print("ValueError:", e)
