"""Kubernetes plumbing shared by the in-cluster builder and the task-pod executor: names, manifests, pod
statuses and the thin client layer, in one room that both `builders` and `runtime` backends draw on."""
