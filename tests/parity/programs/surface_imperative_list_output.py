"""An imperative workflow output built from several promises, with its list type given."""

from flytekit import Workflow, task


@task
def word(i: int) -> str:
    return f"w{i}"


wb = Workflow(name="imperative.words")
nodes = [wb.add_entity(word, i=i) for i in range(3)]
wb.add_workflow_output("words", [n.outputs["o0"] for n in nodes], python_type=list[str])
print(wb())
