"""A ShellTask reading its script from a file."""

from flytekit import kwtypes
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.file import FlyteFile

with open("count_words.sh", "w") as handle:
    handle.write("echo {inputs.text} | wc -w | tr -d ' ' > {outputs.count}\n")

count_words = ShellTask(
    name="count_words",
    script_file="count_words.sh",
    inputs=kwtypes(text=str),
    output_locs=[OutputLocation(var="count", var_type=FlyteFile, location="count.txt")],
)

with open(count_words(text="'one two three'")) as handle:
    print(handle.read().strip())
