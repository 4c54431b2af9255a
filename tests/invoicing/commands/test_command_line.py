"""The commands as an operator runs them: help with an example, and bad input as one line without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class

from tests.workers import ROOT, worker_env

OPERATOR_COMMANDS = [
    "import_invoices",
    "recalculate_invoices",
    "seed_demo",
    "create_api_key",
    "generate_invoices",
    "ensure_superuser",
]


@pytest.mark.parametrize("name", OPERATOR_COMMANDS)
def test_every_command_says_what_it_does_with_an_example(name):
    command = load_command_class(get_commands()[name], name)

    assert len(command.help) > 80
    assert f"Example: manage.py {name}" in command.help
    assert all(action.help for action in command.create_parser("manage.py", name)._actions)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_input_is_one_line_on_stderr_and_a_non_zero_exit(tmp_path):
    path = tmp_path / "bills.csv"
    path.write_text("type,invoice_number\n")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_invoices", str(path), "--organization", "not-a-uuid"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stderr == "CommandError: --organization must be a UUID, not 'not-a-uuid'. [VALIDATION_ERROR]\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["recalculate_invoices", "--category", "energy", "--all"],
            "the following arguments are required: --organization",
        ),
        (["create_api_key"], "the following arguments are required: --organization-name"),
        (["import_invoices", "--organization", "x"], "the following arguments are required: path"),
        (["seed_demo", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_a_missing_or_unknown_argument_is_the_same_one_line_and_exit_1(args, message):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1
    assert result.stderr == f"CommandError: {message}. See `manage.py {args[0]} --help`. [VALIDATION_ERROR]\n"
    assert result.stdout == ""
