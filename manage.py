#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except KeyboardInterrupt:
        # Ctrl-C (SIGINT) at any moment, even while Django starts: a clean stop, the shell's status for it.
        sys.exit(130)


if __name__ == "__main__":
    main()
