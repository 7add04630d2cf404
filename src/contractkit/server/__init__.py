"""What every server of a contract does before its own code runs, shared by the services and the mock.

A request is authenticated by bearer token (`auth`), validated against its operation (`validation`),
and every refusal is an RFC 9457 problem document (`problem_details`), answered the same way over
Starlette (`responses`). The reference services in `dataservices` and `contractkit mock` both run this
code, so a mock refuses a bad request exactly as the real service will.
"""
