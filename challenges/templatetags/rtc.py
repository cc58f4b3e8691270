"""Template helpers: NL Design System form markup and timeline rendering."""

from django import forms, template
from django.utils import translation

from challenges import rendering
from challenges.constants import PUBLISHED_ON_SUBMIT, AttachmentKind

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "select": "utrecht-select utrecht-select--html-select",
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
    "text": "utrecht-textbox utrecht-textbox--html-input",
}


@register.filter
def widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "text"


@register.filter
def nlds_widget(field):
    """Render a field's widget with design-system classes and ARIA links to its texts."""
    kind = widget_kind(field)
    classes = [_WIDGET_CLASSES.get(kind, _WIDGET_CLASSES["text"])]
    attrs = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
        classes.append(f"utrecht-{'textbox' if kind == 'text' else kind}--invalid")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    existing = field.field.widget.attrs.get("class", "")
    attrs["class"] = " ".join(filter(None, [existing, *classes]))
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def render_event(context, event, show_parties=False):
    """Render one timeline event with its own template, in the reader's language
    (already done, from the cache, when the view called `rendering.prerender`)."""
    rendered = getattr(event, "rendered", None)
    if rendered is not None:
        return rendered
    return rendering.render(event, show_parties=show_parties)


@register.filter
def localized(data: dict, key: str) -> str:
    """Pick data['<key>_en'] or data['<key>_nl'] by the active language."""
    lang = "en" if translation.get_language() == "en" else "nl"
    return data.get(f"{key}_{lang}") or data.get(f"{key}_nl") or ""


@register.filter
def status_label(value: str) -> str:
    from challenges.constants import Status

    try:
        return Status(value).label
    except ValueError:
        return value


@register.simple_tag
def published_on_submit():
    """The parts of a plan that become public on submission, with their labels."""
    return PUBLISHED_ON_SUBMIT


@register.filter
def attachment_kind(value: str) -> str:
    """The kind of an attachment ("budget") in the reader's language."""
    return AttachmentKind(value).label if value in AttachmentKind.values else value
