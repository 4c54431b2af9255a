import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from config.embedded import LOCAL_DIR


class Command(BaseCommand):
    help = (
        "Create the staff superuser if it does not exist. The password comes from ADMIN_PASSWORD, "
        "else one is generated once and kept in .local/admin_password. Example: manage.py ensure_superuser"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("ADMIN_USERNAME", "admin"))

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        password = os.environ.get("ADMIN_PASSWORD") or self._local_password()
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True, "email": f"{username}@localhost"}
        )
        if created or os.environ.get("ADMIN_PASSWORD"):
            user.set_password(password)
            user.save()
        self.stdout.write(
            f"Admin login: {username} / {password}"
            if created or "ADMIN_PASSWORD" not in os.environ
            else f"Admin login: {username} (password from ADMIN_PASSWORD)"
        )

    @staticmethod
    def _local_password() -> str:
        path = LOCAL_DIR / "admin_password"
        if not path.exists():
            LOCAL_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()
