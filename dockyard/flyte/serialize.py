"""dockyard's compiled entities as FlyteIDL: `TaskSpec`, `WorkflowSpec` and `LaunchPlan`, as `pyflyte package`
writes them (flytekit 1.16.31 is the reference; tests/flyte/test_differential.py compares field by field).

Documents are built as FlyteIDL's JSON form and parsed into the messages, so every field name is checked by
protobuf itself. What dockyard writes differently on purpose: the container args (they start
`dockyard-execute flyte`, see `flyte/execute.py`) and the runtime's name and version.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import dynamic_job_pb2
from google.protobuf import json_format

from dockyard.errors import ConfigError
from dockyard.flyte.types import literal_type, to_flyte
from dockyard.sdk.graph import (
    INPUTS,
    Binding,
    Branch,
    Comparison,
    Const,
    DictOf,
    Expr,
    Graph,
    ListOf,
    Node,
    Ref,
)
from dockyard.version import __version__

RESOLVER = "dockyard"
_OPS = {"eq": "EQ", "ne": "NEQ", "gt": "GT", "ge": "GTE", "lt": "LT", "le": "LTE"}
_RESOURCES = (("cpu", "CPU"), ("mem", "MEMORY"), ("gpu", "GPU"), ("ephemeral_storage", "EPHEMERAL_STORAGE"))
_DESCRIPTION = {"longDescription": {"format": "DESCRIPTION_FORMAT_RST"}}
# a pod template's primary container: flytekit's resource names (propeller maps "gpu" to its GPU resource)
_K8S = {"CPU": "cpu", "MEMORY": "memory", "GPU": "gpu", "EPHEMERAL_STORAGE": "ephemeral-storage"}


@dataclass
class SerializationSettings:
    """What serialization needs besides the entities: the default image and the fast-registration archive."""

    image: str
    images: dict[str, str] = field(default_factory=dict)  # task name -> image (ImageSpec references)
    fast: bool = False  # tasks fetch the code archive first (flytectl fills in its path)


def _msg(cls: Any, doc: dict[str, Any]) -> Any:
    return json_format.ParseDict(doc, cls())


def _dict(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def _variables(types: dict[str, Any], descriptions: bool = True) -> dict[str, Any]:
    return {
        "variables": {
            name: {"type": _dict(literal_type(tp)), **({"description": name} if descriptions else {})}
            for name, tp in types.items()
        }
    }


def interface(entity: Any, descriptions: bool = True) -> dict[str, Any]:
    iface = entity.interface
    return {
        "inputs": _variables(iface.inputs, descriptions),
        "outputs": _variables(iface.outputs, descriptions),
    }


# ---- tasks -------------------------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _resource_entries(res: Any, part: int) -> list[dict[str, str]]:
    out = []
    for attr, name in _RESOURCES:
        value = getattr(res, attr, None) if res is not None else None
        if isinstance(value, tuple):
            value = value[part]
        if value is not None:
            out.append({"name": name, "value": str(value)})
    return out


def resources(requests: Any, limits: Any, combined: Any = None) -> dict[str, Any]:
    """flytekit's container resources: `requests=`/`limits=`, or `resources=`, whose (request, limit) pairs
    split and whose single values are both."""
    if combined is not None:
        requests = limits = combined
    doc: dict[str, Any] = {}
    req, lim = _resource_entries(requests, 0), _resource_entries(limits, 1)
    if req:
        doc["requests"] = req
    if lim:
        doc["limits"] = lim
    return doc


def task_metadata(task: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "runtime": {"type": "FLYTE_SDK", "version": __version__, "flavor": "python"},
        "retries": {"retries": task.retries} if task.retries else {},
        "generatesDeck": bool(task.enable_deck),
        "metadata": {},
    }
    if task.cache:
        meta["discoverable"] = True
        meta["discoveryVersion"] = task.cache_version
        if task.cache_serialize:
            meta["cacheSerializable"] = True
        if task.cache_ignore_input_vars:
            meta["cacheIgnoreInputVars"] = list(task.cache_ignore_input_vars)
    if task.timeout_s:
        meta["timeout"] = _seconds(task.timeout_s)
    if task.interruptible is not None:
        meta["interruptible"] = task.interruptible
    if task.deprecated:
        meta["deprecatedErrorMessage"] = task.deprecated
    if task.pod_template_name:
        meta["podTemplateName"] = task.pod_template_name
    return meta


FAST_ARGS = ["--additional-distribution", "{{ .remote_package_path }}", "--dest-dir", "{{ .dest_dir }}"]


def task_args(task: Any, *, map_task: Any = None, fast: bool = False) -> list[str]:
    """The container args propeller starts the task with: dockyard's entrypoint, propeller's templates
    (and, fast-registered, flytectl's for the code archive, as pyflyte-fast-execute takes them)."""
    args = [
        "dockyard-execute",
        "flyte",
        *(FAST_ARGS if fast else []),
        "--inputs",
        "{{.input}}",
        "--output-prefix",
        "{{.outputPrefix}}",
        "--raw-output-data-prefix",
        "{{.rawOutputDataPrefix}}",
        "--checkpoint-path",
        "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint",
        "{{.prevCheckpointPrefix}}",
    ]
    if map_task is not None:
        args.append("--map-item")
        if map_task.bound_names:
            args += ["--map-bound", ",".join(sorted(map_task.bound_names))]
    return [*args, "--task", f"{task.module}:{task.short_name}"]


def _env(task: Any, settings: SerializationSettings) -> list[dict[str, str]]:
    env = [{"key": k, "value": v} for k, v in task.environment.items()]
    if task.node_kind == "dynamic":  # flytekit's key for "how to serialize the sub-workflow at run time"
        blob = gzip.compress(json.dumps({"image": _image(task, settings)}, sort_keys=True).encode(), mtime=0)
        env.append({"key": "_F_SS_C", "value": base64.b64encode(blob).decode()})
    return env


def _image(task: Any, settings: SerializationSettings) -> str:
    return settings.images.get(task.name, settings.image)


def _container(task: Any, settings: SerializationSettings, args: list[str]) -> dict[str, Any]:
    container: dict[str, Any] = {
        "image": _image(task, settings),
        "args": args,
        "resources": resources(task.requests, task.limits, task.resources),
    }
    env = _env(task, settings)
    if env:
        container["env"] = env
    return container


def _accelerator(acc: Any) -> dict[str, Any]:
    doc = acc.to_dict()
    out: dict[str, Any] = {"device": doc["device"]}
    if "partition_size" in doc:
        if doc["partition_size"] is None:
            out["unpartitionedResource"] = True
        else:
            out["partitionSize"] = doc["partition_size"]
    return out


def _secrets(task: Any) -> dict[str, Any]:
    secrets = []
    for s in task.secret_requests:
        doc: dict[str, Any] = {}
        if s.group:
            doc["group"] = s.group
        if s.group_version:
            doc["groupVersion"] = s.group_version
        if s.key:
            doc["key"] = s.key
        if s.mount_requirement.name != "ANY":
            doc["mountRequirement"] = s.mount_requirement.name
        if s.env_var:
            doc["envVar"] = s.env_var
        secrets.append(doc)
    return {"secrets": secrets}


def _pod(task: Any, container: dict[str, Any]) -> dict[str, Any]:
    """The task's pod template with its primary container filled in, as flytekit's `k8s_pod`."""
    tpl = task.pod_template.to_dict()
    spec = tpl["podSpec"]
    primary = tpl["primaryContainerName"]
    containers = spec.setdefault("containers", [])
    found = next((c for c in containers if c.get("name") == primary), None)
    if found is None:
        found = {"name": primary}
        containers.append(found)
    found.update(
        {
            "image": container["image"],
            "args": container["args"],
            "command": [],
            "env": [{"name": e["key"], "value": e["value"]} for e in container.get("env", [])],
        }
    )
    res = container["resources"]
    if res:
        found["resources"] = {part: {_K8S[e["name"]]: e["value"] for e in res[part]} for part in res}
    metadata = {k: tpl[k] for k in ("labels", "annotations") if tpl[k]}
    return {"metadata": metadata, "podSpec": spec}


def task_spec(task: Any, settings: SerializationSettings, *, map_task: Any = None) -> task_pb2.TaskSpec:
    """The TaskSpec of a task (or of a map task's array node, whose interface is the list interface)."""
    entity = map_task if map_task is not None else task
    template: dict[str, Any] = {
        "id": {"resourceType": "TASK", "name": entity_name(entity)},
        "type": "python-task",
        "metadata": task_metadata(task),
        "interface": interface(entity),
    }
    container = _container(task, settings, task_args(task, map_task=map_task, fast=settings.fast))
    if task.pod_template is not None:
        template["k8sPod"] = _pod(task, container)
        template["config"] = {"primary_container_name": task.pod_template.primary_container_name}
    else:
        template["container"] = container
    if task.accelerator is not None:
        template["extendedResources"] = {"gpuAccelerator": _accelerator(task.accelerator)}
    if task.secret_requests:
        template["securityContext"] = _secrets(task)
    if map_task is not None:
        template["taskTypeVersion"] = 1
        return _msg(task_pb2.TaskSpec, {"template": template})
    return _msg(task_pb2.TaskSpec, {"template": template, "description": _description(task)})


def _description(entity: Any) -> dict[str, Any]:
    doc = (entity.fn.__doc__ or "").strip()
    if not doc:
        return _DESCRIPTION
    short, _, long = doc.partition("\n")
    out: dict[str, Any] = {"shortDescription": short.strip(), **_DESCRIPTION}
    if long.strip():
        out["longDescription"] = {"value": long.strip(), "format": "DESCRIPTION_FORMAT_RST"}
    return out


def map_task_name(mt: Any) -> str:
    """flytekit's name of a map task's array node: it hashes the bound inputs and the map's options."""
    bound = ",".join(sorted(mt.bound_names))
    key = f"{bound}{mt.concurrency}{None}{mt.min_success_ratio}"
    return f"{mt.task.module}.map_{mt.task.short_name}_{hashlib.md5(key.encode()).hexdigest()}-arraynode"


def entity_name(entity: Any) -> str:
    return map_task_name(entity) if entity.node_kind == "map" else entity.name


# ---- workflows ---------------------------------------------------------------------------------------------


def _binding_data(b: Binding, ids: dict[str, str]) -> dict[str, Any]:
    if isinstance(b, Ref):
        promise = {"var": b.output}
        if b.node != INPUTS:
            promise["nodeId"] = ids[b.node]
        return {"promise": promise}
    if isinstance(b, Const):
        return _literal_binding(_dict(to_flyte(b.literal, b.type, binding=True)))
    if isinstance(b, ListOf):
        return {"collection": {"bindings": [_binding_data(i, ids) for i in b.items]}}
    assert isinstance(b, DictOf)
    return {"map": {"bindings": {k: _binding_data(v, ids) for k, v in b.items}}}


def _literal_binding(lit: dict[str, Any]) -> dict[str, Any]:
    """A constant as BindingData: scalars as they are, collections and maps binding by binding."""
    if "collection" in lit:
        return {
            "collection": {"bindings": [_literal_binding(i) for i in lit["collection"].get("literals", [])]}
        }
    if "map" in lit:
        return {
            "map": {"bindings": {k: _literal_binding(v) for k, v in lit["map"].get("literals", {}).items()}}
        }
    return {"scalar": lit["scalar"]}


def _bindings(inputs: dict[str, Binding], ids: dict[str, str]) -> list[dict[str, Any]]:
    return [{"var": k, "binding": _binding_data(inputs[k], ids)} for k in sorted(inputs)]


class _Compiler:
    """A workflow's nodes in flytekit's numbering: `n0, n1, ...` per level, a branch's cases counted apart."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.sub_workflows: dict[str, Any] = {}
        self.tasks: dict[str, Any] = {}
        self.launch_plans: dict[str, Any] = {}
        self.map_tasks: dict[str, Any] = {}

    def number(self, nodes: list[Node], prefix: str = "n") -> None:
        for i, node in enumerate(nodes):
            self.ids[node.id] = f"{prefix}{i}"
            if node.branch is not None:
                inner = [n for case in node.branch.cases for n in case.nodes]
                for j, n in enumerate(inner):
                    self.ids[n.id] = f"n{j}"

    def node(self, node: Node) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.ids[node.id], "inputs": _bindings(node.inputs, self.ids)}
        if node.branch is not None:  # a branch waits only for what its conditions read
            doc.update(self.branch(node.branch))
            upstream = [self.ids[u] for u in node.upstream if u in self.ids]
            reads = {ref["binding"]["promise"].get("nodeId") for ref in doc["inputs"]}
            upstream = [u for u in upstream if u in reads]
        else:
            upstream = [self.ids[u] for u in node.upstream if u in self.ids]
        if upstream:
            doc["upstreamNodeIds"] = upstream
        if node.branch is not None:
            return doc
        entity = node.entity
        ov = node.overrides
        meta: dict[str, Any] = {"name": ov.get("name", entity.short_name), "retries": {}}
        if node.kind == "workflow":
            meta["interruptible"] = False
            plan = node.launch_plan
            if plan is not None:
                self.launch_plans[plan.name] = plan
                doc["workflowNode"] = {"launchplanRef": {"resourceType": "LAUNCH_PLAN", "name": plan.name}}
            else:
                self.sub_workflow(entity)
                doc["workflowNode"] = {"subWorkflowRef": {"resourceType": "WORKFLOW", "name": entity.name}}
            doc["metadata"] = meta
            return doc
        task = entity.task if node.kind == "map" else entity
        retries = ov.get("retries", task.retries)
        if retries:
            meta["retries"] = {"retries": retries}
        timeout = ov.get("timeout", None)
        timeout_s = _timeout_seconds(timeout) if timeout is not None else task.timeout_s
        interruptible = ov.get("interruptible", task.interruptible)
        overrides: dict[str, Any] = {}
        res = resources(ov.get("requests"), ov.get("limits"), ov.get("resources"))
        if res:
            overrides["resources"] = res
        if node.kind == "map":
            name = map_task_name(entity)
            self.map_tasks[name] = entity
            inner = {
                "id": name,
                "metadata": {"name": name, "retries": meta["retries"]},
                "inputs": doc["inputs"],
                "taskNode": {"referenceId": {"resourceType": "TASK", "name": name}, "overrides": overrides},
            }
            array: dict[str, Any] = {"node": inner, "isOriginalSubNodeInterface": False}
            if entity.bound_names:
                array["boundInputs"] = sorted(entity.bound_names)
            array["minSuccessRatio"] = entity.min_success_ratio
            if entity.concurrency:
                array["parallelism"] = entity.concurrency
            doc["metadata"] = {"name": name, "retries": {}}
            doc["arrayNode"] = array
            return doc
        if timeout_s:
            meta["timeout"] = _seconds(timeout_s)
        if interruptible is not None:
            meta["interruptible"] = interruptible
        self.tasks[task.name] = task
        doc["metadata"] = meta
        doc["taskNode"] = {"referenceId": {"resourceType": "TASK", "name": task.name}, "overrides": overrides}
        return doc

    def branch(self, branch: Branch) -> dict[str, Any]:
        refs: dict[str, dict[str, Any]] = {}
        cases = []
        for case in branch.cases:
            if not case.nodes and case.condition is not None:
                raise ConfigError(f"conditional {branch.name}: a case without a node has no FlyteIDL form")
            entry: dict[str, Any] = {}
            if case.condition is not None:
                entry["condition"] = self.expr(case.condition, refs)
            if case.nodes:
                entry["thenNode"] = self.node(case.nodes[-1])
            entry["fail"] = case.fail
            cases.append(entry)
        first, *rest = cases
        if_else: dict[str, Any] = {"case": {"condition": first["condition"], "thenNode": first["thenNode"]}}
        others = [c for c in rest if "condition" in c]
        if others:
            if_else["other"] = [{"condition": c["condition"], "thenNode": c["thenNode"]} for c in others]
        last = rest[-1] if rest and "condition" not in rest[-1] else None
        if last is not None and last["fail"] is not None:
            if_else["error"] = {"failedNodeId": branch.name, "message": last["fail"]}
        elif last is not None:
            if_else["elseNode"] = last["thenNode"]
        return {
            "metadata": {"name": branch.name, "retries": {}},
            "inputs": list(refs.values()),
            "branchNode": {"ifElse": if_else},
        }

    def operand(self, b: Binding | None, refs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        if isinstance(b, Ref):
            node = "" if b.node == INPUTS else self.ids[b.node]
            var = f"{node}.{b.output}"
            promise = {"var": b.output, **({"nodeId": node} if node else {})}
            refs.setdefault(var, {"var": var, "binding": {"promise": promise}})
            return {"var": var}
        assert isinstance(b, Const)
        lit = _dict(to_flyte(b.literal, b.type))["scalar"]
        return {"primitive": lit["primitive"]} if "primitive" in lit else {"scalar": lit}

    def expr(self, e: Expr, refs: dict[str, dict[str, Any]]) -> dict[str, Any]:
        if isinstance(e, Comparison):
            if e.op == "is_none":
                rhs: dict[str, Any] = {"scalar": {"noneType": {}}}
                return {
                    "comparison": {
                        "operator": "EQ",
                        "leftValue": self.operand(e.lhs, refs),
                        "rightValue": rhs,
                    }
                }
            return {
                "comparison": {
                    "operator": _OPS[e.op],
                    "leftValue": self.operand(e.lhs, refs),
                    "rightValue": self.operand(e.rhs, refs),
                }
            }
        return {
            "conjunction": {
                "operator": e.op.upper(),
                "leftExpression": self.expr(e.lhs, refs),
                "rightExpression": self.expr(e.rhs, refs),
            }
        }

    def workflow(self, wf: Any) -> dict[str, Any]:
        self.ids = {}
        self.number(wf.graph.nodes)
        nodes = [self.node(n) for n in wf.graph.nodes]
        outputs = _bindings(wf.graph.outputs, self.ids)
        return {
            "id": {"resourceType": "WORKFLOW", "name": wf.name},
            "metadata": _workflow_metadata(wf),
            "interface": interface(wf),
            "nodes": nodes,
            "outputs": outputs,
            "metadataDefaults": {},
        }

    def sub_workflow(self, wf: Any) -> None:
        if wf.name in self.sub_workflows:
            return
        saved = self.ids
        self.sub_workflows[wf.name] = None  # recursion guard; filled below
        self.sub_workflows[wf.name] = self.workflow(wf)
        self.ids = saved


def _timeout_seconds(timeout: Any) -> float:
    return float(timeout.total_seconds() if hasattr(timeout, "total_seconds") else timeout)


def _workflow_metadata(wf: Any) -> dict[str, Any]:
    policy = wf.options.get("failure_policy")
    if policy is not None and getattr(policy, "name", str(policy)).endswith(
        "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"
    ):
        return {"onFailure": "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"}
    return {}


def workflow_spec(wf: Any) -> tuple[workflow_pb2.WorkflowSpec, _Compiler]:
    """The WorkflowSpec of a workflow and its sub-workflows; the compiler knows the entities it references."""
    compiler = _Compiler()
    template = compiler.workflow(wf)
    subs = [doc for name, doc in compiler.sub_workflows.items() if name != wf.name]
    spec: dict[str, Any] = {"template": template, "description": _DESCRIPTION}
    if subs:
        spec["subWorkflows"] = subs
    if _description(wf) != _DESCRIPTION:
        spec["description"] = _description(wf)
    return _msg(workflow_pb2.WorkflowSpec, spec), compiler


def dynamic_job_spec(graph: Graph, task: Any, image: str) -> dynamic_job_pb2.DynamicJobSpec:
    """What a dynamic task's body built, as pyflyte-execute's futures.pb: nodes `dn0, dn1, ...`, their
    tasks' templates and sub-workflows, and the bindings of the task's outputs."""
    settings = SerializationSettings(image=image)
    compiler = _Compiler()
    compiler.number(graph.nodes, prefix="dn")
    nodes = [compiler.node(n) for n in graph.nodes]
    tasks = [_dict(task_spec(t, settings).template) for t in compiler.tasks.values()]
    tasks += [_dict(task_spec(m.task, settings, map_task=m).template) for m in compiler.map_tasks.values()]
    doc: dict[str, Any] = {
        "nodes": nodes,
        "minSuccesses": str(len(nodes)),
        "outputs": _bindings(graph.outputs, compiler.ids),
        "tasks": tasks,
    }
    if compiler.sub_workflows:
        doc["subworkflows"] = list(compiler.sub_workflows.values())
    return _msg(dynamic_job_pb2.DynamicJobSpec, doc)


# ---- launch plans ------------------------------------------------------------------------------------------


def _schedule(schedule: Any) -> dict[str, Any]:
    from dockyard.sdk.schedule import CronSchedule

    doc: dict[str, Any] = {}
    if schedule.kickoff_time_input_arg:
        doc["kickoffTimeInputArg"] = schedule.kickoff_time_input_arg
    if isinstance(schedule, CronSchedule):
        cron: dict[str, Any] = {"schedule": schedule.schedule}
        if schedule.offset:
            cron["offset"] = schedule.offset
        doc["cronSchedule"] = cron
        return doc
    seconds = int(schedule.duration.total_seconds())
    for unit, size in (("DAY", 86400), ("HOUR", 3600), ("MINUTE", 60)):
        if seconds % size == 0:
            doc["rate"] = {"value": seconds // size, "unit": unit}
            return doc
    raise ConfigError(f"FixedRate {schedule.duration}: not a whole number of minutes")


def _notification(n: Any) -> dict[str, Any]:
    key = {"email": "email", "slack": "slack", "pager_duty": "pagerDuty"}[n.kind]
    return {"phases": [p.name for p in n.phases], key: {"recipientsEmail": list(n.recipients_email)}}


def launch_plan(plan: Any) -> launch_plan_pb2.LaunchPlan:
    """A LaunchPlan document: the workflow's inputs less the fixed ones, with defaults or `required`."""
    from dockyard.sdk.types import TypeEngine

    wf = plan.workflow
    types = wf.interface.inputs
    defaults = {**wf.interface.defaults, **plan.default_inputs}
    parameters: dict[str, Any] = {}
    for name, tp in types.items():
        if name in plan.fixed_inputs:
            continue
        param: dict[str, Any] = {"var": {"type": _dict(literal_type(tp)), "description": name}}
        if name in defaults:
            param["default"] = _dict(to_flyte(TypeEngine.to_literal(defaults[name], tp), tp))
        else:
            param["required"] = True
        parameters[name] = param
    fixed = {
        k: _dict(to_flyte(TypeEngine.to_literal(v, types[k]), types[k])) for k, v in plan.fixed_inputs.items()
    }
    meta: dict[str, Any] = {}
    if plan.schedule is not None:
        meta["schedule"] = _schedule(plan.schedule)
    if plan.notifications:
        meta["notifications"] = [_notification(n) for n in plan.notifications]
    spec: dict[str, Any] = {
        "workflowId": {"resourceType": "WORKFLOW", "name": wf.name},
        "entityMetadata": meta,
        "defaultInputs": {"parameters": parameters},
        "fixedInputs": {"literals": fixed},
        "labels": {"values": plan.labels},
        "annotations": {"values": plan.annotations},
        "rawOutputDataConfig": {},
    }
    if plan.max_parallelism is not None:
        spec["maxParallelism"] = plan.max_parallelism
    if plan.overwrite_cache is not None:
        spec["overwriteCache"] = plan.overwrite_cache
    doc = {
        "id": {"resourceType": "LAUNCH_PLAN", "name": plan.name},
        "spec": spec,
        "closure": {"expectedInputs": {}, "expectedOutputs": {}},
    }
    return _msg(launch_plan_pb2.LaunchPlan, doc)
