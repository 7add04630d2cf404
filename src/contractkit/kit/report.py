"""The kit's results as text for a terminal and as a JUnit test suite for CI."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from contractkit.kit.runner import KitReport, Outcome, PromiseResult

# Lines of failure detail shown per promise in the terminal; the JUnit report keeps them all.
_SHOWN_CASES = 8


def result_lines(result: PromiseResult) -> list[str]:
    """One line for a promise, then its failures or the reason it was skipped."""
    promise = result.promise
    tag = result.outcome.value
    if result.expected and result.outcome in (Outcome.FAILED, Outcome.ERROR):
        tag += " (expected)"
    lines = [f"  {tag:<5} {promise.id:<11} {promise.level:<6} {promise.statement}"]
    shown = result.messages[:_SHOWN_CASES]
    lines += [f"          - {message}" for message in shown]
    if len(result.messages) > len(shown):
        lines.append(f"          - ... and {len(result.messages) - len(shown)} more (see the JUnit report)")
    if result.expected and result.outcome in (Outcome.FAILED, Outcome.ERROR):
        lines.append(f"          declared expected: {result.expected}")
    return lines


def summary_lines(report: KitReport) -> list[str]:
    if report.note:
        return [f"Behavioural kit: {report.note}"]
    counts = ", ".join(
        f"{report.count(outcome)} {label}"
        for outcome, label in (
            (Outcome.PASSED, "kept"),
            (Outcome.FAILED, "broken"),
            (Outcome.SKIPPED, "skipped"),
            (Outcome.ERROR, "could not be checked"),
        )
    )
    verdict = "passed" if report.passed else "FAILED"
    return [f"Behavioural kit for {report.service}: {len(report.results)} promises: {counts}; {verdict}"]


def junit_suite(report: KitReport) -> ElementTree.Element:
    """A `<testsuite>` with one test case per promise."""
    suite = ElementTree.Element(
        "testsuite",
        name=f"contractkit kit: {report.service or 'unknown service'}",
        tests=str(len(report.results)),
        failures=str(report.count(Outcome.FAILED)),
        errors=str(report.count(Outcome.ERROR)),
        skipped=str(report.count(Outcome.SKIPPED)),
        time=f"{sum(result.seconds for result in report.results):.3f}",
    )
    for result in report.results:
        promise = result.promise
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"kit.{report.service}.{promise.category.value}",
            name=f"{promise.id} {promise.statement}",
            time=f"{result.seconds:.3f}",
        )
        detail = "\n".join(result.messages)
        if result.outcome is Outcome.FAILED:
            failure = ElementTree.SubElement(case, "failure", message=f"{promise.id} ({promise.level}) broken")
            failure.text = detail
        elif result.outcome is Outcome.ERROR:
            error = ElementTree.SubElement(case, "error", message=f"{promise.id} could not be checked")
            error.text = detail
        elif result.outcome is Outcome.SKIPPED:
            ElementTree.SubElement(case, "skipped", message=detail)
        properties = ElementTree.SubElement(case, "properties")
        ElementTree.SubElement(properties, "property", name="level", value=promise.level)
        ElementTree.SubElement(properties, "property", name="docs", value=promise.docs_url)
        if result.expected:
            ElementTree.SubElement(properties, "property", name="expected-failure", value=result.expected)
    return suite


def write_junit(report: KitReport, path: Path) -> None:
    """Add the kit's suite to the JUnit file at `path` (Schemathesis may have written it already)."""
    suite = junit_suite(report)
    root = ElementTree.Element("testsuites")
    if path.exists():
        existing = ElementTree.parse(path).getroot()
        if existing.tag == "testsuites":
            root = existing
        else:
            root.append(existing)
    root.append(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
