"""JUnit XML: one test suite per contract, one test case per rule, so CI dashboards show rules as tests."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path
from typing import TextIO

from contractkit.lint.engine import LintReport
from contractkit.lint.finding import Result
from contractkit.lint.reporters.base import ReportOptions
from contractkit.lint.waivers import WAIVER_CHECKS


class JunitReporter:
    """A rule's test case fails when it has results at or above ``--fail-on``; the rest go to system-out."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options

    def write(self, report: LintReport, out: TextIO) -> None:
        suites = ElementTree.Element("testsuites", name="contractkit lint")
        by_file: dict[Path, list[Result]] = defaultdict(list)
        for result in report.results:
            by_file[result.file].append(result)
        waiver_ids = {check.id for check in WAIVER_CHECKS}
        for contract, files in report.files.items():
            results = [r for file in files for r in by_file.get(file, []) if r.rule_id not in waiver_ids]
            rules = [d for d in report.descriptors if d.id not in waiver_ids]
            self._suite(suites, self.options.path(contract), [(d.id, d.slug) for d in rules], results)
        waiver_results = [result for result in report.results if result.rule_id in waiver_ids]
        self._suite(suites, "waivers", [(check.id, check.slug) for check in WAIVER_CHECKS], waiver_results)
        for name in ("tests", "failures"):
            suites.set(name, str(sum(int(suite.get(name, "0")) for suite in suites)))
        ElementTree.indent(suites)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        ElementTree.ElementTree(suites).write(out, encoding="unicode")
        out.write("\n")

    def _suite(
        self, parent: ElementTree.Element, name: str, rules: list[tuple[str, str]], results: list[Result]
    ) -> None:
        suite = ElementTree.SubElement(parent, "testsuite", name=name)
        failures = 0
        for rule_id, slug in rules:
            case = ElementTree.SubElement(suite, "testcase", classname=name, name=f"{rule_id} {slug}")
            mine = [result for result in results if result.rule_id == rule_id]
            failing = [r for r in mine if not r.waived and r.severity.rank >= self.options.fail_on.rank]
            if failing:
                failures += 1
                failure = ElementTree.SubElement(
                    case, "failure", type=rule_id, message=f"{len(failing)} finding{'s' if len(failing) != 1 else ''}"
                )
                failure.text = "\n".join(self._line(result) for result in failing)
            failed = {id(result) for result in failing}
            others = [result for result in mine if id(result) not in failed]
            if others:
                ElementTree.SubElement(case, "system-out").text = "\n".join(self._line(result) for result in others)
        suite.set("tests", str(len(rules)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")

    def _line(self, result: Result) -> str:
        status = f"waived {result.severity}" if result.waived else str(result.severity)
        where = f"{self.options.path(result.file)}:{result.line}:{result.column}"
        return f"{where}: {status}: {result.message} [{result.pointer or '/'}] {result.docs_url}"
