// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Dunning Run", {
	refresh(frm) {
		if (frm.doc.docstatus === 1 && !["Queued", "Running"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Run Again"), () =>
				frappe
					.call("optimar_erp.collections.doctype.dunning_run.dunning_run.rerun", { name: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
		if (frm.doc.docstatus === 1) {
			frm.add_custom_button(__("Activities"), () =>
				frappe.set_route("List", "Collection Activity", { dunning_run: frm.doc.name })
			);
		}
	},
});

