"""The course's own exceptions, each with a message a trainer or author can act on."""


class CourseError(Exception):
    """Base class: something a trainer or author must fix; the message says what and where."""


class ContentError(CourseError):
    """Invalid course content: names the file, the item and what is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Invalid course content:\n" + "\n".join(f"  - {p}" for p in self.problems))


class AnswerStoreError(CourseError):
    """A trainee's answers file cannot be read or written; says which file and why."""
