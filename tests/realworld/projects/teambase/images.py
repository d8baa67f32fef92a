"""The platform team's base image, and a trainer image built on it (flytekit's nested `base_image`)."""

from dockyard import ImageSpec

team_base = ImageSpec(
    name="team-base",
    apt_packages=["jq"],
    packages=["attrs==23.2.0"],
    env={"TEAM": "ml platform"},
)

trainer = ImageSpec(
    name="team-trainer",
    base_image=team_base,
    packages=["cattrs==23.2.3"],
    commands=["jq --version > /opt/jq-version.txt"],
)
