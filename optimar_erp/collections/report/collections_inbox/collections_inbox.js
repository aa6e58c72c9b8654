frappe.query_reports["Collections Inbox"] = {
	filters: [
		{ fieldname: "status", label: __("Status"), fieldtype: "Select", options: ["Needs Review", "Auto-Applied", "Accepted", "Dismissed"], default: "Needs Review" },
		{
			fieldname: "intent",
			label: __("Intent"),
			fieldtype: "Select",
			options: ["", "Promise to Pay", "Dispute", "Payment Made", "Document Request", "Out of Office", "Other"],
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "actions" && data && data.name) {
			const n = frappe.utils.escape_html(data.name);
			return `<button class="btn btn-xs btn-primary optimar-inbox" data-inbox="accept" data-item="${n}">${__("Accept")}</button>
				<button class="btn btn-xs btn-default optimar-inbox" data-inbox="edit" data-item="${n}">${__("Edit")}</button>
				<button class="btn btn-xs btn-default optimar-inbox" data-inbox="dismiss" data-item="${n}">${__("Dismiss")}</button>`;
		}
		if (column.fieldname === "excerpt") return `<span title="${frappe.utils.escape_html(value || "")}">${frappe.utils.escape_html(value || "")}</span>`;
		return default_formatter(value, row, column, data);
	},
	onload(report) {
		$(report.page.wrapper).on("click", ".optimar-inbox", (e) => {
			e.stopPropagation();
			const name = $(e.currentTarget).attr("data-item");
			const what = $(e.currentTarget).attr("data-inbox");
			if (what === "edit") return frappe.set_route("Form", "Collections Inbox Item", name);
			const method = what === "accept" ? "accept" : "dismiss";
			frappe.call(`optimar_erp.inbox.replies.${method}`, { name }).then(({ message }) => {
				frappe.show_alert({ message: message ? __("Created {0}", [message]) : __("Done"), indicator: "green" });
				report.refresh();
			});
		});
	},
};
