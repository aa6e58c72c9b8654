// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Dunning Sequence", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Preview for a Customer"), () => {
			frappe.prompt(
				{ fieldname: "customer", fieldtype: "Link", options: "Customer", label: __("Customer"), reqd: 1 },
				({ customer }) => show_preview(frm, customer),
				__("What would this sequence send today?")
			);
		});
		frm.add_custom_button(__("Send Me a Test"), () => {
			frappe.prompt(
				{ fieldname: "customer", fieldtype: "Link", options: "Customer", label: __("As if for customer"), reqd: 1 },
				({ customer }) =>
					frappe
						.call({
							method: "optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.send_test",
							args: { sequence: frm.doc.name, customer },
							freeze: true,
						})
						.then(({ message }) => frappe.show_alert({ message: __("Test sent to {0}", [message]), indicator: "green" })),
				__("Email yourself what this sequence would send today")
			);
		});
	},
});

function show_preview(frm, customer) {
	frappe
		.call("optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.preview", {
			sequence: frm.doc.name,
			customer,
		})
		.then(({ message }) => {
			const items = message || [];
			const html = items.length
				? items
						.map((m) =>
							m.held_back
								? `<div class="text-muted"><b>${frappe.utils.escape_html(m.step)}</b> — ${__("held back")}: ${frappe.utils.escape_html(m.held_back)}</div>`
								: `<div class="mb-4"><div><b>${frappe.utils.escape_html(m.channel)}</b> ${__("to")} ${frappe.utils.escape_html(m.recipient || "")} — ${frappe.utils.escape_html(m.invoices.join(", "))}</div>
								<div class="mt-1"><b>${frappe.utils.escape_html(m.subject || "")}</b></div>
								<div class="mt-2 border rounded p-3">${m.body}</div></div>`
						)
						.join("")
				: `<p class="text-muted">${__("Nothing is due for this customer today.")}</p>`;
			frm.set_df_property("preview_html", "options", html);
			frm.scroll_to_field("preview_html");
		});
}
