// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Portal Access Link", {
	refresh(frm) {
		const expired = frappe.datetime.str_to_obj(frm.doc.expires_on) <= new Date();
		if (frm.doc.revoked) {
			frm.dashboard.set_headline(__("Revoked: this link no longer opens the portal."), "red");
			return;
		}
		if (expired) {
			frm.dashboard.set_headline(__("Expired: this link no longer opens the portal."), "gray");
			return;
		}
		if (!frm.is_new() && frm.perm[0] && frm.perm[0].write) {
			frm.add_custom_button(__("Revoke"), () => {
				frappe.confirm(
					__("Revoke this link? Whoever holds it loses access to {0}'s portal page at once.", [
						frm.doc.customer_name || frm.doc.customer,
					]),
					() =>
						frappe
							.call("optimar_erp.portal.links.revoke_portal_link", { name: frm.doc.name })
							.then(() => frm.reload_doc())
				);
			}).addClass("btn-danger");
		}
	},
});
