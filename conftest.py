"""Root conftest: only loads the cicclo plugin (active when tests under suites/ are collected)."""

pytest_plugins = ["cicclo.plugin"]
