FROM registry.example:5000/dockyard/debian:bookworm
ARG SOURCE_DATE_EPOCH=0
RUN ["chmod", "0755", "/root"]
COPY --from=registry.example:5000/mambaorg/micromamba:2.0.5 /bin/micromamba /usr/local/bin/micromamba
RUN --mount=type=cache,target=/opt/dockyard/conda-pkgs,sharing=locked,id=dockyard-conda-pkgs \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca MAMBA_ROOT_PREFIX=/opt/dockyard/mamba CONDA_PKGS_DIRS=/opt/dockyard/conda-pkgs \
    micromamba create --yes --prefix /opt/venv --override-channels --channel https://conda.example/conda-forge --channel bioconda \
        python=3.11 'numpy>=1.26' pandas \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /tmp/dockyard-uv/uv pip install --python /opt/venv/bin/python --no-deps \
        dockyard==1.0.0 \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /opt/venv/bin/python -m dockyard.image_install --uv /tmp/dockyard-uv/uv --exact \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }

ENV PYTHONPATH=/root \
    PYTHONUNBUFFERED=1
WORKDIR /root
