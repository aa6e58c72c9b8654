// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.listview_settings["Portal Access Link"] = {
	add_fields: ["revoked", "expires_on"],
	get_indicator(doc) {
		if (doc.revoked) {
			return [__("Revoked"), "red", "revoked,=,1"];
		}
		if (frappe.datetime.str_to_obj(doc.expires_on) <= new Date()) {
			return [__("Expired"), "gray", "expires_on,<=,now"];
		}
		return [__("Active"), "green", "revoked,=,0"];
	},
	onload(listview) {
		if (!frappe.model.can_create("Portal Access Link")) {
			return;
		}
		listview.page.add_inner_button(__("New Link for a Customer"), () => {
			const dialog = new frappe.ui.Dialog({
				title: __("New Portal Link"),
				fields: [
					{
						fieldname: "customer",
						fieldtype: "Link",
						options: "Customer",
						label: __("Customer"),
						reqd: 1,
					},
					{
						fieldname: "days",
						fieldtype: "Int",
						label: __("Valid For (Days)"),
						default: 14,
						reqd: 1,
					},
				],
				primary_action_label: __("Create"),
				primary_action(values) {
					frappe
						.call("optimar_erp.portal.links.create_portal_link", values)
						.then((r) => {
							dialog.hide();
							const url = r.message;
							frappe.msgprint({
								title: __("Portal Link"),
								indicator: "green",
								message:
									"<p>" +
									__("Copy it now: the link is not stored and cannot be shown again.") +
									"</p><p><code>" +
									frappe.utils.escape_html(url) +
									"</code></p>",
							});
							frappe.utils.copy_to_clipboard(url);
							listview.refresh();
						});
				},
			});
			dialog.show();
		});
	},
};
