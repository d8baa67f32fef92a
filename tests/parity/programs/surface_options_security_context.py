"""Options and SecurityContext are plain data a launch plan or workflow records; a local run ignores them."""

from flytekit import LaunchPlan, Options, SecurityContext, task, workflow
from flytekit.core.options import Options as CoreOptions
from flytekit.models.common import Annotations, Labels, RawOutputDataConfig
from flytekit.models.security import Identity

print(Options is CoreOptions)

options = Options(
    labels=Labels({"team": "ml"}),
    annotations=Annotations({"owner": "me"}),
    raw_output_data_config=RawOutputDataConfig(output_location_prefix="s3://bucket/raw"),
    security_context=SecurityContext(run_as=Identity(k8s_service_account="runner")),
    max_parallelism=4,
)
print(options.labels.values, options.annotations.values)
print(options.raw_output_data_config.output_location_prefix)
print(options.security_context.run_as.k8s_service_account, options.security_context.run_as.iam_role)
print(options.max_parallelism, options.overwrite_cache, options.notifications)

defaults = Options.default_from(k8s_service_account="sa", raw_data_prefix="s3://other")
print(
    defaults.security_context.run_as.k8s_service_account,
    defaults.raw_output_data_config.output_location_prefix,
)
empty = Options.default_from()
print(empty.security_context, empty.raw_output_data_config)


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow(default_options=options)
def hello(name: str = "world") -> str:
    return greet(name=name)


plan = LaunchPlan.get_or_create(
    hello,
    "hello_as_role",
    security_context=SecurityContext(run_as=Identity(iam_role="arn:aws:iam::1:role/x")),
)
print(plan.security_context.run_as.iam_role)
print(hello(), plan(name="plan"))
