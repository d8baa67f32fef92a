"""An image written the way flytekit's docs and blog posts write one: requirements named from this file's
folder (copy stays relative, as flytekit requires), the spec grown with `with_*` calls, and build commands
that chain, pipe, `cd` and use pip, with absolute paths (flytekit runs them in `/`)."""

from pathlib import Path

from dockyard import ImageSpec

HERE = Path(__file__).parent

base = ImageSpec(
    name="pathforms",
    requirements=str(HERE / "requirements.txt"),
    copy=["assets/"],  # flytekit's builder takes copy paths relative to the current folder only
    env={"BANNER": "built with 'pipes' & \"chains\""},
)

image = (
    base.with_packages(["tomli-w==1.0.0"])
    .with_copy("tools/stamp.py")
    .with_commands(
        [
            "cd /root/assets && sort words.txt | uniq -c | sort -rn | head -n 2 | tr -s ' ' > /opt/top.txt",
            "pip install --no-deps python-slugify==8.0.4 && pip --version | cut -d' ' -f1 > /opt/pip.txt",
            'python /root/tools/stamp.py "$BANNER" > /opt/stamp.txt',
            "cd /opt",  # holds for the commands after it: flytekit joins them with &&
            "export WHERE=opt",
            'echo "$WHERE" > where.txt',
        ]
    )
)
