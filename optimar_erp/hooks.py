app_name = "optimar_erp"
app_title = "OptimAR ERP"
app_publisher = "OptimAR ERP contributors"
app_description = "B2B collections for ERPNext: automated dunning, promises, disputes, risk and AR analytics"
app_email = "dev@optimar-erp.org"
app_license = "GPL-3.0"
app_icon = "octicon octicon-credit-card"
app_color = "#2563eb"

required_apps = ["frappe/erpnext"]

export_python_type_annotations = True
"""Saving a DocType in developer mode rewrites the type block of its controller (frappe/types/exporter.py)."""

app_include_js = "/assets/optimar_erp/js/collections_actions.js"

doctype_list_js = {
	"Sales Invoice": "public/js/sales_invoice_list.js",
	"Customer": "public/js/customer_list.js",
}

doctype_js = {
	"Sales Invoice": "public/js/sales_invoice.js",
	"Customer": "public/js/customer.js",
}

# Installation
# ------------

after_install = "optimar_erp.setup.install.after_install"
before_uninstall = "optimar_erp.setup.uninstall.before_uninstall"

# Jinja methods for print formats (the Reminder Letter of a Collection Activity)
jinja = {"methods": ["optimar_erp.dunning.letter.optimar_reminder_letter"]}

# Document events
# ---------------

doc_events = {
	"Sales Invoice": {
		"validate": "optimar_erp.overrides.sales_invoice.validate",
		"on_submit": "optimar_erp.overrides.sales_invoice.on_submit",
		"on_cancel": "optimar_erp.overrides.sales_invoice.on_cancel",
	},
	"Payment Entry": {
		"on_submit": "optimar_erp.overrides.payment_entry.on_submit",
		"on_cancel": "optimar_erp.overrides.payment_entry.on_cancel",
	},
	"Sales Order": {"validate": "optimar_erp.overrides.sales_order.validate"},
	"Customer": {
		"validate": "optimar_erp.overrides.customer.validate",
		"on_update": "optimar_erp.overrides.customer.on_update",
	},
	"Journal Entry": {
		"on_submit": "optimar_erp.overrides.journal_entry.on_submit",
		"on_cancel": "optimar_erp.overrides.journal_entry.on_cancel",
	},
	# a gateway's payment (Frappe's payments app) becomes a Payment Entry, which stops the reminders
	"Payment Request": {
		"on_payment_authorized": "optimar_erp.overrides.payment_request.on_payment_authorized"
	},
	"Communication": {"after_insert": "optimar_erp.overrides.communication.after_insert"},
	# recompute the cached ledger figures (workspace cards, DSO trend) in the background after postings
	"Payment Ledger Entry": {"after_insert": "optimar_erp.overrides.payment_ledger_entry.after_insert"},
}

# Scheduled tasks
# ---------------

scheduler_events = {
	"hourly_long": [
		"optimar_erp.tasks.hourly_dunning",
		"optimar_erp.tasks.hourly_inbox_and_cash",
	],
	"daily_long": [
		"optimar_erp.tasks.daily_collections",
		"optimar_erp.tasks.nightly_risk_scoring",
		"optimar_erp.tasks.nightly_response_learning",
	],
	"cron": {
		"*/10 * * * *": ["optimar_erp.tasks.retry_failed_reminders"],
		"*/15 * * * *": ["optimar_erp.tasks.warm_ledger_cache"],
	},
}

# the calls, notes, promises and disputes people made, in the Customer's and the Sales Invoice's timeline
additional_timeline_content = {
	"Customer": ["optimar_erp.overrides.timeline.customer"],
	"Sales Invoice": ["optimar_erp.overrides.timeline.sales_invoice"],
}

override_doctype_dashboards = {
	"Sales Invoice": "optimar_erp.overrides.dashboards.sales_invoice",
	"Customer": [
		"optimar_erp.overrides.dashboards.customer",
		# the portal's Balance Confirmations and Portal Access Links in the Customer's Connections
		"optimar_erp.portal.dashboards.customer",
	],
}


# Customer portal
# ---------------

portal_menu_items = [{"title": "Account & Payments", "route": "/customer-portal", "role": "Customer"}]

# the customer portal's own page renderer (optimar_erp/portal/page.py): answers for /customer-portal only
page_renderer = ["optimar_erp.portal.page.CustomerPortalPage"]
