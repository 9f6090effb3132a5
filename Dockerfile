FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
# pg_dump and pg_restore for `manage.py backup` and `restore` (docs/operations.md, Backup).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY reviewapp ./reviewapp
COPY screening ./screening
COPY grading ./grading
RUN pip install --upgrade pip && pip install .
COPY . .
# Collected at build time with throwaway settings; runtime needs no write access here.
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app reviewapp \
    && mkdir -p /data/media /backups && chown -R reviewapp /data /backups
USER reviewapp
EXPOSE 8000
CMD ["gunicorn", "reviewapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
