"""Text helpers shared by the apps."""

from django.utils.functional import lazy

# Joined when the message is shown, so lazy labels follow the reader's language.
join_lazy = lazy(lambda labels: ", ".join(str(label) for label in labels), str)
