"""A fine-tuning image as flytekit users write it: `cuda` and `cudnn`, no strategy named."""

from dockyard import ImageSpec

finetune = ImageSpec(
    name="llm-finetune",
    python_version="3.11",
    cuda="12.4",
    cudnn="9",
    packages=["transformers==4.44.2", "accelerate==0.34.2"],
    apt_packages=["git"],
)

finetune_on_team_base = ImageSpec(
    name="llm-finetune-slim",
    base_image="localhost:5000/dockyard/debian:bookworm",
    cuda="12.4",
    cudnn="9",
    packages=["transformers==4.44.2"],
)
