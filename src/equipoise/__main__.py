"""``python -m equipoise``: the same as the ``equipoise`` command."""

from equipoise.cli.main import main

main()
