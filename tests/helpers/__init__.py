"""What the tests share: the project's paths, running the CLI (in process or for real), a real server,
scratch copies, disk conditions, and reading rendered PDFs the way a person would.

Plain functions and constants only; the fixtures are in conftest.py. Test modules import from here,
never from conftest.py or from each other.
"""
