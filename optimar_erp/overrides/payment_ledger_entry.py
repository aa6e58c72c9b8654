import frappe


def after_insert(doc, method=None) -> None:
	"""Doc event for Payment Ledger Entry (after insert): recompute the company's cached ledger figures
	in the background once the posting is committed (one queued job per company at a time), so the
	next open of the workspace or the DSO trend finds them ready."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.flags.in_import:
		return
	queued = frappe.flags.setdefault("optimar_ledger_warm_queued", set())
	if doc.company in queued:  # a posting writes several ledger rows: one job per company and request
		return
	queued.add(doc.company)
	frappe.enqueue(
		"optimar_erp.tasks.warm_ledger_cache",
		queue="long",
		job_id=f"optimar-warm-ledger-{doc.company}",
		deduplicate=True,
		enqueue_after_commit=True,
		company=doc.company,
	)
