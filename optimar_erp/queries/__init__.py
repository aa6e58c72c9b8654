"""The read side: every read of site data the app makes (invoices, the Payment Ledger, collection activities,
promises, disputes, customers, the portal's views), set-based ``frappe.qb`` queries returning plain rows or
DataFrames. No writes and no whitelisted methods here; ``tests/test_read_side.py`` fails when a module
outside this package reads Sales Invoice, Payment Ledger Entry, Collection Activity, Promise To Pay or
Dispute.

One open-invoice condition (:func:`optimar_erp.queries.invoices.is_open`) and one tolerance
(:data:`optimar_erp.constants.AMOUNT_TOLERANCE`)."""
