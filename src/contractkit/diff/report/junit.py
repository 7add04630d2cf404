"""JUnit XML for CI dashboards: a test suite per contract, a test case per finding.

Findings at or above ``--fail-on`` are failures; the others pass (their message kept in ``system-out``). A
contract without findings gets one passing test case, so every compared contract shows up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from contractkit.diff.findings import DiffReport
from contractkit.diff.report.base import Reporter, consumer_line


class JunitReporter(Reporter):
    """JUnit XML."""

    def render(self, report: DiffReport) -> str:
        suites = ElementTree.Element("testsuites", name="contractkit diff")
        total = failed = 0
        for contract in report.contracts:
            suite = ElementTree.SubElement(suites, "testsuite", name=contract.name)
            failures = 0
            for finding in contract.findings:
                name = " ".join(part for part in (finding.check.id, finding.operation, finding.field) if part)
                case = ElementTree.SubElement(suite, "testcase", classname=contract.name, name=name)
                where = "\n".join(
                    f"{side}: {loc} {loc.pointer}"
                    for side, loc in (("base", finding.base), ("revision", finding.revision))
                    if loc is not None
                )
                body = "\n".join(part for part in (finding.message, where, consumer_line(finding)) if part)
                if self.fail_on is not None and finding.level.rank >= self.fail_on.rank:
                    failure = ElementTree.SubElement(case, "failure", type=finding.check.id, message=finding.message)
                    failure.text = body
                    failures += 1
                else:
                    ElementTree.SubElement(case, "system-out").text = f"{finding.level.value}: {body}"
            cases = len(contract.findings)
            if not contract.findings:
                ElementTree.SubElement(suite, "testcase", classname=contract.name, name="no changes")
                cases = 1
            suite.set("tests", str(cases))
            suite.set("failures", str(failures))
            total, failed = total + cases, failed + failures
        suites.set("tests", str(total))
        suites.set("failures", str(failed))
        ElementTree.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
