"""The one exception type of llmz (the C++ library's llmz::Error)."""


class Error(Exception):
    """A failure llmz reports: .code is the CLI's exit code (1 usage, 2 I/O, 3 corrupt input,
    4 model missing or not the file's, 5 unsupported format)."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code
