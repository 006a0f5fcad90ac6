"""Exceptions that decide a status: each maps to exactly one status of the result model."""

from __future__ import annotations


class CheckFailed(AssertionError):
    """The target breaks the requirement under test: FAIL."""


class InvalidContent(CheckFailed):
    """A response body cannot be read as the format it claims (e.g. malformed JSON): FAIL."""


class NotTested(Exception):
    """A precondition failed or the work was cut by a budget: NOT_TESTED."""


class NotApplicable(Exception):
    """The target does not declare the capability the test applies to: NOT_APPLICABLE."""


class TransportError(Exception):
    """The suite could not get an answer (connection, timeout, size cap, budget): ERROR, never FAIL."""


class ConfigurationError(Exception):
    """A target file or a command line is wrong; the message names the file, line and field."""
