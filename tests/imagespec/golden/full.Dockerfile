FROM registry.example:5000/dockyard/debian:bookworm
ARG SOURCE_DATE_EPOCH=0
RUN ["chmod", "0755", "/root"]
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked,id=dockyard-apt-cache \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked,id=dockyard-apt-lists \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && rm -f /etc/apt/apt.conf.d/docker-clean \
    && apt-get update -o Acquire::https::CAInfo=/run/secrets/dockyard-ca \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o Acquire::https::CAInfo=/run/secrets/dockyard-ca \
        curl \
        git=1:2.39.5-0+deb12u1 \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find /var/log -xdev -type f -newerct "$DOCKYARD_SINCE" -exec truncate -s 0 {} + 2> /dev/null; find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }

RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && /tmp/dockyard-uv/uv venv --allow-existing --python-preference only-system --python 3.11 /opt/venv \
    && { /opt/venv/bin/python -m ensurepip --default-pip > /dev/null 2>&1 || echo "dockyard: this Python has no ensurepip; the venv has no pip"; } \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    --mount=type=bind,source=deps,target=/tmp/dockyard-deps,rw \
    --mount=type=secret,id=dockyard-pip-0,target=/root/.netrc,required=true \
    --mount=type=secret,id=dockyard-index,target=/run/secrets/dockyard-index,required=true \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_INDEX_URL="$(cat /run/secrets/dockyard-index)" UV_EXTRA_INDEX_URL="https://extra.example/simple" UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /tmp/dockyard-uv/uv pip install --python /opt/venv/bin/python --no-build-isolation --prerelease=allow \
        --requirement /tmp/dockyard-deps/requirements.txt \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }
RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    --mount=type=bind,source=gen,target=/tmp/dockyard-gen \
    --mount=type=secret,id=dockyard-pip-0,target=/root/.netrc,required=true \
    --mount=type=secret,id=dockyard-index,target=/run/secrets/dockyard-index,required=true \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_INDEX_URL="$(cat /run/secrets/dockyard-index)" UV_EXTRA_INDEX_URL="https://extra.example/simple" UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /tmp/dockyard-uv/uv pip install --python /opt/venv/bin/python --no-build-isolation --prerelease=allow \
        --requirement /tmp/dockyard-gen/packages.txt \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }
RUN --mount=type=bind,source=uv,target=/tmp/dockyard-uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    --mount=type=bind,source=gen,target=/tmp/dockyard-gen \
    --mount=type=secret,id=dockyard-pip-0,target=/root/.netrc,required=true \
    --mount=type=secret,id=dockyard-index,target=/run/secrets/dockyard-index,required=true \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | "") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE="@$((T / 100)).$((T / 10 % 10))$((T % 10))" ;; esac \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_INDEX_URL="$(cat /run/secrets/dockyard-index)" UV_EXTRA_INDEX_URL="https://extra.example/simple" UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /tmp/dockyard-uv/uv pip install --python /opt/venv/bin/python --no-deps \
        dockyard==1.0.0 \
    && SSL_CERT_FILE=/run/secrets/dockyard-ca PIP_CERT=/run/secrets/dockyard-ca REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca UV_INDEX_URL="$(cat /run/secrets/dockyard-index)" UV_EXTRA_INDEX_URL="https://extra.example/simple" UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 \
    /opt/venv/bin/python -m dockyard.image_install --uv /tmp/dockyard-uv/uv --packages /tmp/dockyard-gen/packages.txt --exact \
    && { if [ -n "$DOCKYARD_SINCE" ]; then find / -xdev -newerct "$DOCKYARD_SINCE" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }

ENV PYTHONPATH=/root \
    PYTHONUNBUFFERED=1 \
    EMPTY="" \
    GREETING="hello \"world\" $HOME \\ end"
WORKDIR /root
COPY copy/ /root/
WORKDIR /
RUN --mount=type=bind,source=uv/uv,target=/usr/local/bin/uv \
    --mount=type=cache,target=/root/.cache/uv,id=dockyard-uv \
    --mount=type=secret,id=dockyard-ca,target=/run/secrets/dockyard-ca,required=true \
    ["env", "SSL_CERT_FILE=/run/secrets/dockyard-ca", "PIP_CERT=/run/secrets/dockyard-ca", "REQUESTS_CA_BUNDLE=/run/secrets/dockyard-ca", "/bin/sh", "-c", "sleep 0.05; T=$(date +%s%N 2> /dev/null); case $T in *[!0-9]* | \"\") DOCKYARD_SINCE= ;; *) T=$((T / 10000000 - 2)); DOCKYARD_SINCE=\"@$((T / 100)).$((T / 10 % 10))$((T % 10))\" ;; esac && /bin/sh -c \"$1\" && { if [ -n \"$DOCKYARD_SINCE\" ]; then find / -xdev -newerct \"$DOCKYARD_SINCE\" -exec touch -h -d @0 {} + 2> /dev/null; fi; true; }", "dockyard-commands", "echo 'single' \"double\" $HOME | tr a-z A-Z > /tmp/out && echo line one; echo line two"]
WORKDIR /root
COPY root/ /root/
ENTRYPOINT ["python", "-m", "app"]
