frappe.query_reports["Cash Application"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
		{ fieldname: "all_suggestions", label: __("Show Alternatives"), fieldtype: "Check" },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "actions" && data && data.invoices) {
			return `<button class="btn btn-xs btn-primary optimar-cash" data-receipt="${frappe.utils.escape_html(data.receipt)}" data-source="${frappe.utils.escape_html(data.source)}"
				data-invoices='${frappe.utils.escape_html(data.invoice_list)}' data-allocations='${frappe.utils.escape_html(data.allocation_list)}'>${__("Allocate")}</button>`;
		}
		if (column.fieldname === "reasons") return `<span title="${frappe.utils.escape_html(value || "")}">${frappe.utils.escape_html(value || "")}</span>`;
		return default_formatter(value, row, column, data);
	},
	onload(report) {
		$(report.page.wrapper).on("click", ".optimar-cash", (e) => {
			e.stopPropagation();
			const b = $(e.currentTarget);
			frappe.confirm(__("Allocate {0} to {1}?", [b.attr("data-receipt"), JSON.parse(b.attr("data-invoices")).join(", ")]), () =>
				frappe
					.call("optimar_erp.cash.matching.allocate_suggestion", {
						payment_entry: b.attr("data-receipt"),
						source: b.attr("data-source"),
						invoices: b.attr("data-invoices"),
						allocations: b.attr("data-allocations"),
					})
					.then((r) => {
						frappe.show_alert({ message: __("Allocated through {0}", [r.message]), indicator: "green" });
						report.refresh();
					})
			);
		});
	},
};
