// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Risk Model", {
	refresh(frm) {
		if (frm.doc.scorer === "Baseline") {
			// the trained model did not beat the baseline on this site's holdout: say so, in words
			frm.dashboard.set_headline_alert(frappe.utils.escape_html(frm.doc.message || __("Using the baseline.")), "orange");
		} else if (frm.doc.status === "Active" && frm.doc.auc) {
			const better = frm.doc.baseline_auc ? frm.doc.auc - frm.doc.baseline_auc : null;
			frm.dashboard.set_headline_alert(
				__("Held-out AUC {0} (baseline {1}), Brier {2}, pay date within {3} days on average", [
					format_number(frm.doc.auc, null, 3),
					frm.doc.baseline_auc ? format_number(frm.doc.baseline_auc, null, 3) : "-",
					format_number(frm.doc.brier, null, 3),
					format_number(frm.doc.mae_days, null, 1),
				]),
				better !== null && better < 0 ? "orange" : "green"
			);
		}
		if (frappe.user.has_role(["Collections Manager", "System Manager"])) {
			frm.add_custom_button(__("Train and Score Now"), () => optimar_train_now(frm.doc.company));
		}
	},
});

function optimar_train_now(company) {
	frappe
		.call("optimar_erp.risk.jobs.train_now", { company: company || null })
		.then((r) => frappe.show_alert({ message: r.message, indicator: "blue" }));
}
