// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Dunning Run", {
	refresh(frm) {
		const active = ["Queued", "Running"].includes(frm.doc.status);
		const stuck = active && (!frm.doc.lease_expires_at || frappe.datetime.str_to_obj(frm.doc.lease_expires_at) < new Date());
		if (frm.doc.docstatus === 1 && stuck) {
			frm.dashboard.set_headline_alert(
				__("This run's worker stopped (its lease expired): run it again or cancel it."),
				"orange"
			);
		}
		if (frm.doc.docstatus === 1 && (!active || stuck)) {
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

