# The process caches of the quiz app are emptied around every test by the root conftest.py.
