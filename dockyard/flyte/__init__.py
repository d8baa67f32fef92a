"""Flyte interoperability: FlyteIDL documents of dockyard's entities, propeller's task contract inside
dockyard's images, FlyteAdmin registration and the flytekit image-builder plugin (docs/flyte.md).

Every module here imports flyteidl (the `[flyte]` extra); nothing outside this room and the CLI imports it,
so `import dockyard` and local runs never load protobuf or gRPC.
"""
