"""Sites upgraded before the customer portal have no value for its settings: give them the defaults."""

from optimar_erp.setup.install import initialise_settings


def execute():
	initialise_settings(only_missing=True)
