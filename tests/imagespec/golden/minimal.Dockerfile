FROM registry.example:5000/dockyard/debian:bookworm
ARG SOURCE_DATE_EPOCH=0
RUN ["chmod", "0755", "/root"]
RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && /tmp/dockyard-uv/uv venv --allow-existing --python-preference only-system --python python3 /opt/venv \
    && { /opt/venv/bin/python -m ensurepip --default-pip > /dev/null 2>&1 || echo "dockyard: this Python has no ensurepip; the venv has no pip"; } \
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
    /opt/venv/bin/python -m dockyard.image_install --uv /tmp/dockyard-uv/uv \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }

ENV PYTHONPATH=/root \
    PYTHONUNBUFFERED=1
WORKDIR /root
