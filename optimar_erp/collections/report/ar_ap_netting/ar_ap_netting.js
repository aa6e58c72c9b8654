frappe.query_reports["AR AP Netting"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "actions" && data && data.customer) {
			return `<button class="btn btn-xs btn-primary optimar-net" data-customer="${frappe.utils.escape_html(data.customer)}"
				data-supplier="${frappe.utils.escape_html(data.supplier)}" data-company="${frappe.utils.escape_html(data.company)}">${__("Create Netting Entry")}</button>`;
		}
		return default_formatter(value, row, column, data);
	},
	onload(report) {
		$(report.page.wrapper).on("click", ".optimar-net", (e) => {
			e.stopPropagation();
			const b = $(e.currentTarget);
			frappe
				.call("optimar_erp.cash.netting.create_netting_entry", {
					company: b.attr("data-company"),
					customer: b.attr("data-customer"),
					supplier: b.attr("data-supplier"),
				})
				.then(({ message }) => frappe.set_route("Form", "Journal Entry", message));
		});
	},
};
