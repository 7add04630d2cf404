"""Typed HTTP clients of the data services, for the services and consumers that call them.

A client speaks only the service's contract over HTTP: it never imports the service's code or
touches its database (import-linter enforces this). `coupon` is the coupon service's client, used by
`payment-service` and `backoffice`.
"""
