"""What every operator command shares: domain errors as one line on stderr, option parsing, progress bars."""

from __future__ import annotations

import sys
import uuid
from datetime import date
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.api.formats import parse_iso_date
from invoicing.errors import DomainError, NotFoundError, ValidationError
from invoicing.models import Organization


class DomainCommand(BaseCommand):
    """A command whose bad input ends as one clear line on stderr and exit status 1, never a traceback.

    Django prints a CommandError as `CommandError: <message>` and exits non-zero; domain errors are
    turned into that with their stable code appended, so scripts can match on it.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """argparse's errors (a missing or unknown option) as the same one line and exit status 1."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        command_line_error = parser.error

        def error(message: str) -> NoReturn:
            if not parser.called_from_command_line:
                command_line_error(message)  # raises CommandError, as Django does outside a terminal
            self.stderr.write(f"CommandError: {message}. See `manage.py {subcommand} --help`. [VALIDATION_ERROR]")
            sys.exit(1)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as error:
            raise CommandError(f"{error.detail} [{error.code}]") from None


def parse_uuid(value: str, *, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationError(f"{what} must be a UUID, not {value!r}.") from None


def parse_date(value: str, *, option: str) -> date:
    try:
        return parse_iso_date(value.strip())
    except ValueError as problem:
        raise ValidationError(f"{option}: {problem}") from None


def organization_from_option(value: str | None) -> Organization:
    if not value:
        raise ValidationError("--organization is required (the organization's id).")
    organization = Organization.objects.filter(pk=parse_uuid(value, what="--organization")).first()
    if organization is None:
        raise NotFoundError(f"No organization with id {value.strip()}.")
    return organization


def user_from_option(username: str | None) -> AbstractBaseUser | None:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(f"No user named {username!r}.")
    return user


class ProgressBars:
    """Live tqdm bars on stderr, one per name, created on first update. Hidden when stderr is not a terminal.

    Callable as `bars(name, done, total)`, which is the shape of the services' progress callbacks.
    """

    def __init__(self, *, enabled: bool = True, unit: str = "row") -> None:
        self.enabled = enabled
        self.unit = unit
        self.bars: dict[str, tqdm] = {}

    def __call__(self, name: str, done: int, total: int, *, description: str | None = None) -> None:
        bar = self.bars.get(name)
        if bar is None:
            bar = self.bars[name] = tqdm(
                total=total,
                desc=description or name,
                unit=self.unit,
                file=sys.stderr,
                disable=None if self.enabled else True,
                position=len(self.bars),
                dynamic_ncols=True,
                leave=True,
            )
        if description:
            bar.set_description_str(description, refresh=False)
        bar.total = total
        bar.n = done
        bar.refresh()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for bar in self.bars.values():
            bar.close()
