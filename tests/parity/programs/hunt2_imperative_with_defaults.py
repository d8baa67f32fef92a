"""Imperative workflow whose entity is a subworkflow, outputs listed, called twice."""

from typing import List

from flytekit import Workflow, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def pair(a: int, b: int) -> List[int]:
    return [a, b]


@workflow
def sub(x: int) -> int:
    return square(x=x)


imp = Workflow(name="imp")
x = imp.add_workflow_input("x", int)
s = imp.add_entity(sub, x=x)
p = imp.add_entity(pair, a=x, b=s.outputs["o0"])
imp.add_workflow_output("pair", p.outputs["o0"])
imp.add_workflow_output("sq", s.outputs["o0"])
print(imp(x=3))
print(imp(x=4))
