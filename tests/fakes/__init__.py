"""In-memory fakes for tests (tests/README.md "Fakes"): ports, a unit of work, report storage.

The product never defaults to a fake (amina/bootstrap.py builds real or local implementations);
a test hands a fake in explicitly.
"""
