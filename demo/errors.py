"""The one error of the demo: a scenario that cannot be run."""


class ScenarioError(Exception):
    """A scenario file that cannot be run; the message names the file and the step.

    The command turns it into a CommandError; nothing is saved when it is raised.
    """


# How a scenario author reads the TOML types in an error message.
TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def type_name(kind: type) -> str:
    return TYPE_NAMES.get(kind, kind.__name__)
