# dockyard's own image: the `dockyard` CLI and the task runtime (`dockyard-execute`), in a venv.
#
# Built by scripts/build-dockyard-image.sh, whose build context holds only `dist/dockyard-*.whl`.
# No `# syntax=` line: the built-in BuildKit frontend needs nothing from the network.
# The CA bundle for the package index comes in as a BuildKit secret (`--secret id=ca,src=...`) and is used
# only inside the RUN step, so it is never stored in a layer.
ARG BASE_IMAGE=localhost:5000/dockyard/debian:bookworm
FROM ${BASE_IMAGE}

ENV VIRTUAL_ENV=/opt/dockyard \
    PATH=/opt/dockyard/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN --mount=type=bind,source=dist,target=/tmp/dist \
    --mount=type=secret,id=ca \
    --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca SSL_CERT_FILE=/run/secrets/ca; fi \
    && python3 -m venv /opt/dockyard \
    && /opt/dockyard/bin/pip install --disable-pip-version-check /tmp/dist/dockyard-*.whl \
    && /opt/dockyard/bin/python -c "import dockyard.cli.main"

WORKDIR /root
ENTRYPOINT ["dockyard"]
CMD ["--help"]
