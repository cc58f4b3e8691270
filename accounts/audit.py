"""Security audit: logins, logouts and failed logins go to the "rtc.audit" logger,
apart from the domain timeline. Only ids are logged: no passwords, no e-mail
addresses, no IP addresses."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

audit = logging.getLogger("rtc.audit")


@receiver(user_logged_in, dispatch_uid="rtc_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.info("login user=%s staff=%s", user.pk, user.is_staff)


@receiver(user_logged_out, dispatch_uid="rtc_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    audit.info("logout user=%s", getattr(user, "pk", None))


@receiver(user_login_failed, dispatch_uid="rtc_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` is already scrubbed of the password by Django; log none of it.
    audit.warning("login failed")
