FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && SECRET_KEY=build python manage.py collectstatic --noinput
USER nobody
CMD ["gunicorn", "aiom.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
