"""Reporters: one small class per output format, each turning a :class:`DiffReport` into text.

``REPORTERS`` maps the ``--format`` names to them; adding a format is adding a class and a line here.
"""

from contractkit.diff.report.base import Reporter, consumer_line
from contractkit.diff.report.github import GithubReporter
from contractkit.diff.report.json import JsonReporter
from contractkit.diff.report.junit import JunitReporter
from contractkit.diff.report.markdown import MarkdownReporter
from contractkit.diff.report.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "markdown": MarkdownReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "junit": JunitReporter,
}

__all__ = ["REPORTERS", "Reporter", "consumer_line"]
