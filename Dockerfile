# syntax=docker/dockerfile:1
# The image of every Airflow service in docker-compose.yml: the project's code and exactly the dependency set of
# uv.lock (the one `make` installs), on the Python the project requires (3.11).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# The uv the Makefile pins (UV_VERSION), so the lock is read here exactly as `make setup` reads it.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
COPY pyproject.toml uv.lock ./
# --frozen: install uv.lock as it is, never re-resolve; --no-dev: no test or lint tools in the image.
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev

FROM ${PYTHON_IMAGE}
# curl: the health checks of the api-server and the scheduler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# Non-root, with group 0 as in the official Airflow image, so the image also runs under an arbitrary UID.
ARG AIRFLOW_UID=50000
RUN useradd --uid "${AIRFLOW_UID}" --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash airflow

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/opt/outcomes \
    PYTHONUNBUFFERED=1 \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/outcomes/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    GX_ANALYTICS_ENABLED=False

COPY --from=build /opt/venv /opt/venv

WORKDIR /opt/outcomes
COPY pyproject.toml uv.lock ./
COPY config/ config/
COPY dags/ dags/
COPY dbt_project/ dbt_project/
COPY demo_data/ demo_data/
COPY expectations/ expectations/
COPY extract/ extract/
COPY ingest/ ingest/
COPY pipeline/ pipeline/

# The folders the pipeline and Airflow write. A named volume mounted on one of them starts with its owner and
# mode, so the airflow user can write the volumes without a chown at start-up. The code itself stays root-owned.
RUN mkdir -p landing warehouse serving reports dbt_project/target /opt/airflow/logs \
    && chown -R airflow:0 landing warehouse serving reports dbt_project/target /opt/airflow \
    && chmod -R g=u landing warehouse serving reports dbt_project/target /opt/airflow

USER airflow
CMD ["airflow", "version"]
