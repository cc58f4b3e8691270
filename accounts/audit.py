"""Security audit: logins, logouts, failed logins and the second factor go to the
"rtc.audit" logger, apart from the domain timeline. Only ids are logged: no
passwords, no codes or secrets, no e-mail addresses, no IP addresses."""

import logging

from allauth.mfa import signals as mfa_signals
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


# The second factor (allauth.mfa): enrolment, removal, use and wrong codes, by ids and
# the authenticator's type only (never a code or a secret).
@receiver(mfa_signals.authenticator_added, dispatch_uid="rtc_audit_mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit.info("mfa added user=%s type=%s", user.pk, authenticator.type)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="rtc_audit_mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.warning("mfa removed user=%s type=%s", authenticator.user_id, authenticator.type)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="rtc_audit_mfa_reset")
def _mfa_codes_regenerated(sender, request, user, authenticator, **kwargs):
    audit.info("mfa recovery codes regenerated user=%s", user.pk)


@receiver(mfa_signals.authenticator_used, dispatch_uid="rtc_audit_mfa_used")
def _mfa_used(sender, request, user, authenticator, **kwargs):
    audit.info("mfa used user=%s type=%s", user.pk, authenticator.type)


@receiver(mfa_signals.authentication_failed, dispatch_uid="rtc_audit_mfa_failed")
def _mfa_failed(sender, request, user, authenticator, **kwargs):
    audit.warning("mfa code refused user=%s", user.pk)
