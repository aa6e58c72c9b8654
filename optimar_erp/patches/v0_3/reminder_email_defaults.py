"""Sites from before grouped reminder emails get the setting's default (on), like a new site."""

from optimar_erp.setup.install import initialise_settings


def execute():
	initialise_settings(only_missing=True)
