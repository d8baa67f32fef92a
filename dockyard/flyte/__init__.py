"""Flyte interoperability: FlyteIDL documents of dockyard's entities, propeller's task contract inside
dockyard's images, FlyteAdmin registration and the flytekit image-builder plugin (docs/flyte.md).

Every module here imports flyteidl (the `[flyte]` extra); nothing outside this room and the CLI imports it,
so `import dockyard` and local runs never load protobuf or gRPC.
"""

# Images that Flyte runs read and write propeller's object store (s3://) from inside: they get the S3
# client whatever dockyard's own store is (the 's3' runtime extra, docs/imagespec.md).
FLYTE_RUNTIME_EXTRA = "s3"
