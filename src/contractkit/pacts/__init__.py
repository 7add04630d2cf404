"""Pacts without a broker: verification records, deployments, the matrix and can-i-deploy.

See ``docs/tools/can-i-deploy.md`` for how the records are kept and how a team moves to a Pact Broker.
"""

from contractkit.pacts.deploy import Decision, Row, can_i_deploy, matrix
from contractkit.pacts.recording import record, verification_of
from contractkit.pacts.records import Deployment, Side, Verification, record_deployment
from contractkit.pacts.snapshot import WORKTREE, Snapshot, VersionError, repository_of, resolve

__all__ = [
    "WORKTREE",
    "Decision",
    "Deployment",
    "Row",
    "Side",
    "Snapshot",
    "Verification",
    "VersionError",
    "can_i_deploy",
    "matrix",
    "record",
    "record_deployment",
    "repository_of",
    "resolve",
    "verification_of",
]
