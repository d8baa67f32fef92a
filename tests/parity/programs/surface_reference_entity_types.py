"""Reference entities carry their ids; the reference classes are importable."""

from flytekit import LaunchPlanReference, TaskReference, WorkflowReference, reference_task
from flytekit.core.reference_entity import TaskReference as SameTaskReference


@reference_task(project="p", domain="development", name="shared.clean", version="abc")
def clean(text: str) -> str: ...


print(TaskReference is SameTaskReference, WorkflowReference.__name__, LaunchPlanReference.__name__)
print(clean.id.project, clean.id.domain, clean.id.name, clean.id.version)
print(list(clean.python_interface.inputs), list(clean.python_interface.outputs))
