"""The policynlp exception tree.

Every error has a stable short ``code`` (``E1xx`` input, ``E2xx`` labels and schema,
``E3xx`` models, ``E4xx`` formats, ``E5xx`` processing) and a message that says what went
wrong, where (the record or file) and how to fix it. Library code raises these; batch
commands turn per-record errors into error records (``{"id": …, "error": {"code": …,
"message": …}}``) and go on with the next record.

Example:
    >>> from policynlp.errors import EmptyTextError
    >>> err = EmptyTextError("the text is empty", record_id="doc-7")
    >>> err.code
    'E101'
    >>> print(err)
    [E101] record 'doc-7': the text is empty. Give the record a non-empty 'text' or remove it
    from the input.
"""

from __future__ import annotations


class PolicyNLPError(Exception):
    """Base class of every error raised by policynlp.

    Attributes:
        code: stable short code such as ``E101``; match on it, not on the message text.
        record_id: the id of the record concerned, when there is one.
        path: the file concerned, when there is one.
        hint: what the user can do about it.
    """

    code: str = "E000"
    default_hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        record_id: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.record_id = record_id
        self.path = path
        self.hint = hint if hint is not None else self.default_hint
        super().__init__(self.__str__())

    @property
    def detail(self) -> str:
        """The message with where it happened and the hint, without the code."""
        where = []
        if self.path:
            where.append(f"file '{self.path}'")
        if self.record_id is not None:
            where.append(f"record '{self.record_id}'")
        prefix = ", ".join(where) + ": " if where else ""
        if not self.hint:
            return f"{prefix}{self.message}"
        stop = "" if self.message.endswith((".", "!", "?", ":")) else "."
        return f"{prefix}{self.message}{stop} {self.hint}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.detail}"


# --- E1xx: input records and files -------------------------------------------------------


class InputError(PolicyNLPError):
    """A record or input file cannot be processed as given."""

    code = "E100"


class EmptyTextError(InputError):
    """The record's text is empty or whitespace only."""

    code = "E101"
    default_hint = "Give the record a non-empty 'text' or remove it from the input."


class BinaryContentError(InputError):
    """The text is mostly control characters: binary data, not text."""

    code = "E102"
    default_hint = "Extract the text first (e.g. from PDF or Word) and put that in 'text'."


class EncodingError(InputError):
    """The bytes are not valid UTF-8."""

    code = "E103"
    default_hint = "Re-encode the input as UTF-8 (e.g. `iconv -f GB18030 -t UTF-8`)."


class MalformedRecordError(InputError):
    """A line is not a JSON object, or a row cannot be read as a record."""

    code = "E104"
    default_hint = "Each line must be one JSON object such as {\"id\": \"doc-1\", \"text\": \"…\"}."


class MissingFieldError(InputError):
    """A required field (``text``) is missing."""

    code = "E105"
    default_hint = "Add a 'text' field with the document's text."


class DocumentTooLargeError(InputError):
    """The document is longer than the configured limit."""

    code = "E106"
    default_hint = "Split the document into parts, or raise the limit with --max-chars."


class UnsupportedLanguageError(InputError):
    """The ``lang`` field names a language policynlp does not handle."""

    code = "E107"
    default_hint = "Use lang 'zh' or 'en', or drop the field to have the language detected."


class LanguageMismatchError(InputError):
    """The ``lang`` field contradicts the script of the text."""

    code = "E108"
    default_hint = "Correct the 'lang' field, or drop it to have the language detected."


class InvalidFieldError(InputError):
    """A field has the wrong type or format (e.g. a date that is not ISO 8601)."""

    code = "E109"
    default_hint = "See the input record format in the README."


class UnreadableFileError(InputError):
    """An input file cannot be opened or parsed (missing, unreadable, corrupt PDF)."""

    code = "E110"
    default_hint = "Check the path and that the file is not corrupt."


# --- E2xx: labels and schema -------------------------------------------------------------


class SchemaError(PolicyNLPError):
    """A label or record does not fit the label schema or the record format."""

    code = "E200"


class UnknownLabelError(SchemaError):
    """A label id is not in the label schema."""

    code = "E201"
    default_hint = "Run `policynlp schema` to list the valid label ids."


class InvalidRecordError(SchemaError):
    """A record does not validate against the JSON Schema of its kind."""

    code = "E202"
    default_hint = "See the record format in SPEC section 3 and `policynlp schema`."


# --- E3xx: models ------------------------------------------------------------------------


class ModelError(PolicyNLPError):
    """A model cannot be found or loaded."""

    code = "E300"


class ModelNotFoundError(ModelError):
    """The model path or name does not exist."""

    code = "E301"
    default_hint = "Pass a folder that contains config.json, or omit --model for the default."


class ModelFilesError(ModelError):
    """A model folder has missing or mismatched files."""

    code = "E302"
    default_hint = "Re-create the folder with `policynlp train` or restore the missing files."


class DeviceError(ModelError):
    """The requested device does not exist or is not available."""

    code = "E303"
    default_hint = "Use --device auto, cpu, cuda or cuda:N with an available GPU."


# --- E4xx: formats -----------------------------------------------------------------------


class FormatError(PolicyNLPError):
    """An input or output format is unknown or cannot be parsed."""

    code = "E400"


class UnknownFormatError(FormatError):
    """The format cannot be inferred from the path or is not supported."""

    code = "E401"
    default_hint = "Use .jsonl, .parquet, a folder of .txt/.md, or pass --format explicitly."


class BriefParseError(FormatError):
    """A "Top 5" brief text file does not have the expected layout."""

    code = "E402"
    default_hint = "Items must start with a numbered title line followed by 'At a glance:'."


class ResumeError(FormatError):
    """A job cannot be resumed from its output file."""

    code = "E403"
    default_hint = "Resume with the same input and a .jsonl output, or start a new output."


# --- E5xx: processing --------------------------------------------------------------------


class ProcessingError(PolicyNLPError):
    """A pipeline component failed on a record."""

    code = "E500"
    default_hint = "This is a bug: please report it with the record that triggers it."


class DeviceMemoryError(ProcessingError):
    """A window does not fit in the device's memory even in a batch of its own."""

    code = "E501"
    default_hint = ("Lower --max-length (shorter windows) or --batch-tokens, or score on a "
                    "device with more memory.")


__all__ = [
    "BinaryContentError",
    "BriefParseError",
    "DeviceError",
    "DeviceMemoryError",
    "DocumentTooLargeError",
    "EmptyTextError",
    "EncodingError",
    "FormatError",
    "InputError",
    "InvalidFieldError",
    "InvalidRecordError",
    "LanguageMismatchError",
    "MalformedRecordError",
    "MissingFieldError",
    "ModelError",
    "ModelFilesError",
    "ModelNotFoundError",
    "PolicyNLPError",
    "ProcessingError",
    "ResumeError",
    "SchemaError",
    "UnknownFormatError",
    "UnknownLabelError",
    "UnreadableFileError",
    "UnsupportedLanguageError",
]
