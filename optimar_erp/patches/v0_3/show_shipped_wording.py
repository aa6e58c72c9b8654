"""Steps that relied on the shipped wording now show it in the editor (what they send is unchanged)."""

from optimar_erp.setup.sequences import show_shipped_wording


def execute():
	show_shipped_wording()
