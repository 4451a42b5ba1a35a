class Refused(Exception):
    """A domain operation refused: the message is for the user, in Chinese; nothing was written."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
