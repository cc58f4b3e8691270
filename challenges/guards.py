"""The guards `challenges` fills in its own transition table (see `workflow`)."""

from .workflow import Edge


def plan_complete(challenge, edge: Edge) -> list:
    from .services import missing_for_submission  # services imports the workflow

    return missing_for_submission(challenge)


def resumes_to_held_stage(challenge, edge: Edge) -> list:
    if challenge.held_from_status == edge.target:
        return []
    return [edge.target]
