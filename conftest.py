"""Root conftest: loads the cicclo plugin (active when tests under suites/ are collected) when the installed
package's pytest11 entry point has not already done so."""

pytest_plugins = ["cicclo.plugin"]
