"""Sites upgraded from 0.1 have no value for the new risk scoring and alert settings: give them the defaults."""

from optimar_erp.setup.install import initialise_settings


def execute():
	initialise_settings(only_missing=True)
