from optimar_erp.setup.install import apply_custom_fields, create_roles


def execute():
	create_roles()
	apply_custom_fields()
