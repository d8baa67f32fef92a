"""@workflow: tracing into a graph, output shapes, nested workflows, `>>`, and every compile error."""

from __future__ import annotations

import json
import re
import threading
from typing import NamedTuple

import pytest

from dockyard import conditional, task, workflow
from dockyard.sdk.errors import CompileError, InterfaceError
from dockyard.sdk.graph import GRAPH_SCHEMA, from_json, to_json
from dockyard.sdk.local import LocalTaskRunner
from dockyard.sdk.types import TypeTransformerFailedError
from dockyard.sdk.walker import Walker

ORDER: list[str] = []
_lock = threading.Lock()


@task
def add(a: int, b: int = 1) -> int:
    return a + b


@task
def halve(x: int) -> float:
    return x / 2


@task
def to_text(x: float) -> str:
    return f"{x:.1f}"


@task
def mark(label: str) -> None:
    with _lock:
        ORDER.append(label)


class Summary(NamedTuple):
    total: int
    half: float


@workflow
def summary(a: int, b: int = 10) -> Summary:
    total = add(a=a, b=b)
    return total, halve(x=total)


@workflow
def two_outputs(a: int) -> tuple[int, float]:
    s = add(a=a)
    return s, halve(x=s)


@workflow
def single(a: int) -> str:
    return to_text(x=halve(x=add(a=a)))


@workflow
def no_outputs(label: str) -> None:
    mark(label=label)


@workflow
def constant_output(a: int) -> int:
    add(a=a)
    return 42


@workflow
def outer(a: int) -> str:
    s = summary(a=a, b=1)  # a workflow used as a sub-workflow
    return single(a=s.total)


@workflow
def ordered() -> None:
    first = mark(label="first")
    second = mark(label="second")
    third = mark(label="third")
    third >> second
    second >> first


def test_default_inputs_and_named_tuple_outputs() -> None:
    assert summary(a=2) == Summary(12, 6.0)
    out = summary(a=2, b=0)
    assert isinstance(out, Summary) and out.total == 2


def test_default_tuple_outputs_are_o0_o1() -> None:
    out = two_outputs(a=3)
    assert out == (4, 2.0) and out._fields == ("o0", "o1")


def test_one_output_bare_and_none_for_no_outputs() -> None:
    assert single(a=3) == "2.0"
    assert no_outputs(label="x") is None
    assert constant_output(a=1) == 42


def test_nested_workflow() -> None:
    assert outer(a=3) == "2.5"  # summary: 3+1=4 → single(4): (4+1)/2
    kinds = [n.kind for n in outer.graph.nodes]
    assert kinds == ["workflow", "workflow"]


def test_rshift_orders_nodes_without_data() -> None:
    ORDER.clear()
    ordered()
    assert ORDER == ["third", "second", "first"]


def test_workflow_inputs_checked_at_call() -> None:
    with pytest.raises(TypeError, match=r"summary\(\) missing 1 required positional argument: 'a'"):
        summary()
    with pytest.raises(InterfaceError, match="unknown input 'z'"):
        summary(a=1, z=3)


def test_graph_document_is_versioned_and_round_trips() -> None:
    doc = to_json(summary.graph)
    assert doc["schema"] == GRAPH_SCHEMA
    text = json.dumps(doc)  # JSON-serialisable
    assert [n["entity"] for n in doc["nodes"]] == [f"{__name__}:add", f"{__name__}:halve"]
    assert doc["nodes"][1]["inputs"]["x"] == {"ref": ["n0", "o0"]}
    assert doc["nodes"][1]["upstream"] == ["n0"]
    assert doc["outputs"]["total"] == {"ref": ["n0", "o0"]}
    graph = from_json(json.loads(text))
    walker = Walker(LocalTaskRunner())
    from dockyard.sdk.types import TypeEngine

    out = walker.run_graph(graph, {"a": TypeEngine.to_literal(5, int), "b": TypeEngine.to_literal(1, int)})
    assert TypeEngine.to_python(out["half"], float) == 3.0


# ---- compile errors: each names the workflow, the line and the promise ------------------------------------


def _compile_error(body) -> str:  # type: ignore[no-untyped-def]
    wf = workflow(body)  # decorating traces nothing: flytekit compiles a workflow on its first call
    with pytest.raises(CompileError) as info:
        _ = wf.graph
    message = str(info.value)
    assert f"workflow '{__name__}.{body.__name__}'" in message
    return message


def _line_of(marker: str) -> int:
    with open(__file__) as f:
        for number, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise AssertionError(marker)


@task
def pair_of(a: int) -> tuple[int, list[int]]:
    return a, [a, a + 1]


def test_print_and_fstring_of_a_promise_show_flytekits_form(capsys: pytest.CaptureFixture[str]) -> None:
    @workflow
    def wf_print(a: int) -> int:
        s = add(a=a)
        print(s, f"{a}", str(s[0]))
        return s

    assert wf_print(a=1) == 2  # the body runs to compile, then again for the run, as in flytekit
    line = "Promise(node:n0.o0.[]) Promise(node:.a.[]) Promise(node:n0.o0.[0])\n"
    assert capsys.readouterr().out == line * 2
    assert wf_print(a=1) == 2
    assert capsys.readouterr().out.count("Promise(node:n0.o0.[])") == 1


def test_len_and_arithmetic_on_a_promise_are_pythons_type_errors() -> None:
    def wf_len(a: int) -> int:
        s = add(a=a)
        len(s)
        return s

    def wf_math(a: int) -> int:
        return add(a=add(a=a) + 1)

    with pytest.raises(TypeError, match="object of type 'Promise' has no len"):
        workflow(wf_len)(a=1)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Promise' and 'int'"):
        workflow(wf_math)(a=1)


def test_if_on_a_promise_is_flytekits_value_error() -> None:
    def wf_if(a: int) -> int:
        s = add(a=a)
        if s:  # MARK-if
            return s
        return s

    msg = _compile_error(wf_if)
    assert msg.startswith("Flytekit does not support Unary expressions or performing truth value testing")
    assert f"line {_line_of('MARK-if')} of {__file__}" in msg and "promise 'n0.o0'" in msg


def test_indexing_a_promise_resolves_when_the_node_has_run() -> None:
    @workflow
    def wf_index(a: int) -> int:
        o = pair_of(a=a)
        return add(a=o.o1[1], b=o[0])

    assert wf_index(a=3) == 7
    node = wf_index.graph.nodes[1]
    assert node.inputs["a"].path == (1,) and node.inputs["a"].output == "o1"


def test_wrong_promise_type() -> None:
    def wf_type(a: int) -> float:
        return to_text(x=add(a=a))  # MARK-type

    msg = _compile_error(wf_type)
    assert f"line {_line_of('MARK-type')}" in msg
    assert "input 'x'" in msg and "expects float" in msg and "promise 'n0.o0'" in msg


def test_wrong_constant_type() -> None:
    def wf_const(a: int) -> float:
        return halve(x="three")  # MARK-const

    msg = _compile_error(wf_const)
    assert f"line {_line_of('MARK-const')}" in msg and "expected int, got str" in msg


def test_workflow_input_promise_named() -> None:
    def wf_input(a: int) -> str:
        return to_text(x=a)  # MARK-input

    msg = _compile_error(wf_input)
    assert "promise 'a' (workflow input)" in msg and f"line {_line_of('MARK-input')}" in msg


def test_unknown_keyword() -> None:
    def wf_kw(a: int) -> int:
        return add(a=a, c=1)  # MARK-kw

    msg = _compile_error(wf_kw)
    assert msg.startswith(f"Received unexpected keyword argument 'c' in function '{__name__}.add'")
    assert f"line {_line_of('MARK-kw')}" in msg


def test_positional_arguments_bind_in_order() -> None:
    @workflow
    def wf_pos(a: int) -> int:
        return add(a, 10)

    assert wf_pos(a=1) == 11


def test_and_or_on_conditions() -> None:
    def wf_and(a: int) -> int:
        s = add(a=a)
        return (
            conditional("c")
            .if_((s > 1) and (s < 5))  # MARK-and
            .then(add(a=s))
            .else_()
            .then(add(a=a))
        )

    msg = _compile_error(wf_and)
    assert msg.startswith("Cannot perform truth value testing") and f"line {_line_of('MARK-and')}" in msg


def test_missing_input_in_body() -> None:
    def wf_missing(a: int) -> float:
        return halve()

    msg = _compile_error(wf_missing)  # flytekit's FlyteAssertion words first, then where
    first = "USER:AssertionError: error=Input x of type <class 'int'> was not specified for function"
    assert msg.startswith(f"{first} {__name__}.halve")


def test_wrong_number_of_outputs() -> None:
    def wf_outs(a: int) -> tuple[int, int]:
        return add(a=a)

    assert "must return 2 outputs" in _compile_error(wf_outs)


@task
def maybe_text(x: int | None) -> str:
    return repr(x)


@task
def either(x: int | str) -> str:
    return repr(x)


def test_promise_feeds_optional_and_union_inputs() -> None:
    @workflow
    def widening(a: int) -> tuple[str, str]:
        v = add(a=a)
        return maybe_text(x=v), either(x=v)

    assert widening(a=1) == ("2", "2")


SEEN_NODES: list[str] = []


@task
def node_id_of(x: int) -> int:
    from dockyard.sdk.context import current_context

    cp = current_context().checkpoint.path  # .../checkpoints/<node id>/<attempt>
    with _lock:
        SEEN_NODES.append(cp.parent.name)
    return x


@workflow
def inner_ids(x: int) -> int:
    return node_id_of(x=x)


@workflow
def outer_ids(x: int) -> int:
    a = node_id_of(x=x)
    return inner_ids(x=a)


def test_sub_workflow_node_ids_are_unique_in_the_execution() -> None:
    SEEN_NODES.clear()
    assert outer_ids(x=1) == 1
    assert sorted(SEEN_NODES) == ["n0", "n1-n0"]


def test_workflow_default_of_wrong_type_fails_at_the_call() -> None:
    def wf_default(a: int = "one") -> int:  # type: ignore[assignment]
        return add(a=a)

    wf = workflow(wf_default)  # flytekit accepts the definition and refuses the call
    first = "Failed argument 'a': Expected value of type <class 'int'> but got 'one' of type <class 'str'>"
    with pytest.raises(TypeTransformerFailedError, match=re.escape(first)):
        wf()


_barrier = threading.Barrier(2, timeout=10)


@task
def meet(x: int) -> int:
    _barrier.wait()  # only returns once the other branch is running at the same time
    return x


@task
def explode(x: int) -> int:
    raise ZeroDivisionError(f"cannot split {x}")
    return x  # never reached: flytekit refuses a body with outputs and no `return`


@workflow
def side_by_side(a: int) -> int:
    return add(a=meet(x=a), b=meet(x=a))


@workflow
def failing_in_workflow(a: int) -> int:
    return add(a=explode(x=a))


ORDER_SEEN: list[str] = []


@task
def note(x: int, label: str) -> int:
    ORDER_SEEN.append(label)
    return x


@workflow
def fan(a: int) -> int:
    first = note(x=a, label="first")
    second = note(x=a, label="second")
    third = note(x=first, label="third")
    return add(a=note(x=second, label="fourth"), b=third)


def test_local_nodes_run_one_at_a_time_in_the_order_the_body_called_them() -> None:
    """flytekit's local order, so what tasks print comes out the same; the remote walker runs them in
    parallel (test_remote_walker_runs_independent_nodes_in_parallel)."""
    ORDER_SEEN.clear()
    assert fan(a=2) == 4
    assert ORDER_SEEN == ["first", "second", "third", "fourth"]


def test_remote_walker_runs_independent_nodes_in_parallel() -> None:
    _barrier.reset()
    walker = Walker(LocalTaskRunner(), max_workers=4)
    from dockyard.sdk.types import TypeEngine

    out = walker.execute(side_by_side, {"a": TypeEngine.to_literal(2, int)})
    assert TypeEngine.to_python(out["o0"], int) == 4


def test_exception_in_workflow_keeps_type_and_names_task() -> None:
    with pytest.raises(ZeroDivisionError, match=r"executing '.*explode'.*\n.*cannot split 3"):
        failing_in_workflow(a=3)
