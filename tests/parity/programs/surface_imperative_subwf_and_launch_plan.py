"""Sub-workflows and launch plans inside an imperative workflow; a node without outputs."""

from flytekit import LaunchPlan, Workflow, task, workflow


@task
def t1(a: str) -> str:
    return a + " world"


@task
def side() -> None:
    print("side effect")


@workflow
def sub(x: str) -> str:
    return t1(a=x)


wb = Workflow(name="imperative.nested")
wb.add_workflow_input("in1", str)
node = wb.add_entity(t1, a=wb.inputs["in1"])
quiet = wb.add_entity(side)
print(list(quiet.outputs))
n3 = wb.add_subwf(sub, x=node.outputs["o0"])
lp = LaunchPlan.get_or_create(sub, "imperative_sub_lp")
n4 = wb.add_launch_plan(lp, x=wb.inputs["in1"])
wb.add_workflow_output("from_sub", n3.outputs["o0"], python_type=str)
wb.add_workflow_output("from_lp", n4.outputs["o0"])
print(wb(in1="hello"))
