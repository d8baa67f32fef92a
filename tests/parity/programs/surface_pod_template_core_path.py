"""PodTemplate from flytekit.core.pod_template, with flytekit's primary container name."""

from flytekit.core.pod_template import PRIMARY_CONTAINER_DEFAULT_NAME, PodTemplate

pt = PodTemplate(primary_container_name="main", labels={"a": "b"}, annotations={"c": "d"})
print(PRIMARY_CONTAINER_DEFAULT_NAME, pt.primary_container_name, pt.labels, pt.annotations)
