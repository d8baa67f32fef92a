"""The app image installs the team's own wheel, built into dist/ by `uv build`, in a build command
(the way Union's examples install a wheel they copy in)."""

from dockyard import ImageSpec

WHEEL = "dist/textkit-0.2.0-py3-none-any.whl"

image = ImageSpec(
    name="textkit-app",
    requirements="requirements.txt",
    copy=[WHEEL],
    commands=[
        f"uv pip install /root/{WHEEL}",
        "python -c 'import textkit; print(textkit.words(\"Grüße aus Köln\"))' > /opt/textkit-check.txt",
    ],
)
