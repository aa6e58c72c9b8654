"""Cash: receipts matched to open invoices (:mod:`.application`) and AR/AP set-off suggestions
(:mod:`.netting`). The shell (:mod:`optimar_erp.cash`) reads the site, asks these, and writes the entries."""
