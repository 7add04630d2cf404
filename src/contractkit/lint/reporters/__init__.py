"""Reporters: one small class per output format, each turning a :class:`LintReport` into text."""

from __future__ import annotations

from contractkit.lint.reporters.base import Reporter, ReportOptions, render
from contractkit.lint.reporters.github import GithubReporter
from contractkit.lint.reporters.json import JsonReporter
from contractkit.lint.reporters.junit import JunitReporter
from contractkit.lint.reporters.sarif import SarifReporter
from contractkit.lint.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "sarif": SarifReporter,
    "github": GithubReporter,
    "junit": JunitReporter,
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter", "render"]
