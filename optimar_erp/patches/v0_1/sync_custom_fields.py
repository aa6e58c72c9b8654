from optimar_erp.setup.install import apply_custom_fields, create_roles
from optimar_erp.setup.sequences import create_standard_sequences


def execute():
	create_roles()
	apply_custom_fields()
	create_standard_sequences()
