"""`FlyteError` is what an on_failure handler receives; user code can build one."""

from flytekit.types.error import FlyteError

err = FlyteError(message="boom", failed_node_id="n0")
print(err.message, err.failed_node_id)
