"""Form fields shared by every app."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The dates a person can mean on this portal. Outside them a date is a typo (or a
# probe), and year 1 or 9999 cannot even be turned into a moment in local time.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2999, refused with a clear message otherwise."""

    def validate(self, value):
        super().validate(value)
        if value and not (EARLIEST_DATE <= value <= LATEST_DATE):
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
            )


# Characters that change how text around them is shown without being seen: the
# direction overrides, embeddings and isolates (a title "\u202etxt.exe" reads
# "exe.txt"), and, in a one-line title or name, the zero-width characters that
# make two different names look the same.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")


def refuse_direction_controls(value: str) -> None:
    if value and any(char in DIRECTION_CONTROLS for char in value):
        raise ValidationError(
            _("Remove the invisible characters that change the direction of the text."),
            code="direction_control",
        )


def refuse_invisible_characters(value: str) -> None:
    if value and any(char in INVISIBLE for char in value):
        raise ValidationError(
            _("Remove the invisible (zero-width) characters from this name."),
            code="invisible",
        )


class PlainTextMixin:
    """For a form: no text field takes direction controls; no one-line text field
    (a title, a name) takes invisible characters. Pasted text keeps everything else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField):
                continue
            field.validators.append(refuse_direction_controls)
            if not isinstance(field.widget, forms.Textarea):
                field.validators.append(refuse_invisible_characters)


class CheckedUploadMixin:
    """For a form whose field `file` is checked by its content (`core.uploads`), in a
    view that put `uploads.RawNameUploadHandler` first: the name is the one the
    browser sent, a file the handler turned away for its size or name gets the reason
    as its error, and `self.checked` / `self.sent_name` describe the accepted file.
    The subclass says which kinds it takes in `check_file(upload, name)`."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def check_file(self, upload, name: str):
        raise NotImplementedError(f"{type(self).__name__} must say how its files are checked.")

    def clean_file(self):
        from . import uploads

        upload = self.cleaned_data["file"]
        raw_names = getattr(self.request, "upload_raw_names", {}) if self.request else {}
        name = raw_names.get(upload.name, upload.name)
        try:
            self.checked = self.check_file(upload, name)
        except uploads.UploadRefused as refusal:
            raise ValidationError(refusal.message) from refusal
        self.sent_name = name
        return upload

    def full_clean(self):
        from django.template.defaultfilters import filesizeformat

        from . import uploads

        super().full_clean()
        if self.request is None or not self.is_bound:
            return
        # Files the upload handler turned away never reach `cleaned_data`: say why.
        too_large = getattr(self.request, "upload_too_large", [])
        raw_names = getattr(self.request, "upload_raw_names", {})
        refused = [raw for cleaned, raw in raw_names.items() if cleaned == ""]
        if too_large:
            self.errors.pop("file", None)
            self.add_error(
                "file",
                _("The file “%(name)s” is larger than %(limit)s. Make it smaller and try again.")
                % {"name": too_large[0], "limit": filesizeformat(uploads.max_upload_size())},
            )
        elif refused:
            self.errors.pop("file", None)
            try:
                uploads.check_name(refused[0])
            except uploads.UploadRefused as refusal:
                self.add_error("file", refusal.message)
