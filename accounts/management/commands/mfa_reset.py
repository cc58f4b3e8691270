"""`manage.py mfa_reset <email>`: remove a person's second factor (a lost phone).

Removes their authenticator app, recovery codes and any keys; a staff member then
enrols again at their next visit to the admin. Written to the audit log
("rtc.audit"). Check who is asking before running it: whoever holds the password can
enrol a new phone.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import mfa


class Command(BaseCommand):
    help = (
        "Remove the second factor (authenticator app, recovery codes) of the user with "
        "this e-mail address."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The e-mail address the user logs in with.")

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email!r}.")
        removed = mfa.mfa_reset(user=user, via="command")
        if not removed:
            self.stdout.write(f"{user.email} had no second factor; nothing removed.")
            return
        then = " They set up a new one at their next visit to the admin." if user.is_staff else ""
        self.stdout.write(self.style.SUCCESS(f"Second factor of {user.email} removed.{then}"))
