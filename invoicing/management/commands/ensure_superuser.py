import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from config.embedded import LOCAL_DIR
from invoicing.errors import ValidationError
from invoicing.management.base import DomainCommand


class Command(DomainCommand):
    help = (
        "Create the staff superuser if it does not exist. The password comes from ADMIN_PASSWORD, "
        "else one is generated once and kept in .local/admin_password.\nExample: manage.py ensure_superuser"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username", default=os.environ.get("ADMIN_USERNAME", "admin"), help="Default: ADMIN_USERNAME, else admin."
        )

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"]).strip()
        if not username:
            raise ValidationError("--username must not be empty (nor ADMIN_USERNAME, which sets its default).")
        from_environment = bool(os.environ.get("ADMIN_PASSWORD"))
        password = os.environ["ADMIN_PASSWORD"] if from_environment else self._local_password()
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True, "email": f"{username}@localhost"}
        )
        if created or from_environment:
            user.set_password(password)
            user.save()
        shown = "(password from ADMIN_PASSWORD)" if from_environment else f"/ {password}"
        self.stdout.write(f"Admin login: {username} {shown}")

    @staticmethod
    def _local_password() -> str:
        path = LOCAL_DIR / "admin_password"
        if not path.exists():
            LOCAL_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()
