"""get_raw_shell_task: the script, its arguments and its environment are chosen at run time."""

import contextlib
import io
import os

from flytekit.extras.tasks.shell import get_raw_shell_task

with open("greet.sh", "w") as handle:
    handle.write('echo "$GREETING, $1" > greeting.txt\n')

raw = get_raw_shell_task(name="raw_greet")
with contextlib.redirect_stdout(io.StringIO()):  # debug=True prints the script, with temp paths
    out = raw(env={"GREETING": "hello"}, script_args="world", script_file=os.path.abspath("greet.sh"))
with open(os.path.join(out, "greeting.txt")) as handle:
    print(handle.read().strip())
