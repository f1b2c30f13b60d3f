# One image for every Tipline process; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir -c constraints.txt . \
 && useradd --system --uid 10001 tipline
USER tipline
EXPOSE 8000 8001
CMD ["tipline", "--help"]
