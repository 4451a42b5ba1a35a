# The application image for docker-compose.yml (web, worker and beat run the same image).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 VAR_DIR=/var/lib/laojiu
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
# The media volume mounts at /var/lib/laojiu/media: created here and owned by laojiu, so that a new
# named volume takes that owner and the application can write uploads and exports to it.
RUN useradd --system --home /app laojiu && mkdir -p /var/lib/laojiu/media && chown -R laojiu /var/lib/laojiu \
    && DEBUG=false SECRET_KEY=build-only-collectstatic ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
USER laojiu
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
