"""`python -m dockyard.runtime`: the task entrypoint, same as `dockyard-execute`."""

from dockyard.runtime.entrypoint import main

main()
