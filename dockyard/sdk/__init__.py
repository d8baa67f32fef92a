"""The SDK: tasks, workflows, conditionals, dynamic and map tasks, the graph they compile to, and local runs.

Modules are imported on demand (`dockyard/__init__.py` re-exports lazily) so `import dockyard` stays fast.
"""
