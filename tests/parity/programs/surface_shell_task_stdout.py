"""A ShellTask's stdout is echoed line by line to the program's stdout."""

from flytekit import kwtypes
from flytekit.extras.tasks.shell import ShellTask

say = ShellTask(name="say", script="echo first {inputs.word}; echo second", inputs=kwtypes(word=str))
print(say(word="line"))
