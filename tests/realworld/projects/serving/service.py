"""The scoring API's image: FastAPI on uvicorn, with pinned versions, the app code from this folder."""

from dockyard import ImageSpec

api_image = ImageSpec(
    name="scoring-api",
    packages=["fastapi==0.115.0", "uvicorn==0.30.6", "pydantic==2.9.2", "httpx==0.27.2"],
    env={
        "UVICORN_HOST": "0.0.0.0",
        "UVICORN_PORT": "8080",
        "SERVICE_BANNER": "Scoring API (staging) - do not use for production traffic",
    },
    source_root=".",
    entrypoint=["uvicorn", "app.main:app"],
)
