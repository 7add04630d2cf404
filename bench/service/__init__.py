"""The coupon service benchmark's parts: load over HTTP (wrk, a burst client), the engines' direct baselines,
the seeded data and its checks, the report and the chart. `bench/service_bench.py` runs them in order."""
