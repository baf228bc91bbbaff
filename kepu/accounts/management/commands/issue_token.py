"""Issue an API token for a person: ``manage.py issue_token 13800000001 --name "city sync"``."""

from django.core.management.base import BaseCommand, CommandError

from kepu.accounts.models import User
from kepu.api.auth import issue_token


class Command(BaseCommand):
    help = "Print a new API token for the person with this phone number or e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("login", help="phone number or e-mail address")
        parser.add_argument("--name", default="", help="a name to recognise the token by")

    def handle(self, *args, login: str, name: str, **options):
        try:
            user = User.objects.get_by_natural_key(login.strip())
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            raise CommandError(
                f"No person with the phone number or e-mail address {login!r}."
            ) from None
        if not user.is_active:
            raise CommandError(f"The account of {login!r} is disabled.")
        token, key = issue_token(user, name=name or "issued with manage.py")
        self.stderr.write(
            f"Token {token.prefix}… issued for {user.display_name()}; it is shown only once:"
        )
        self.stdout.write(key)
