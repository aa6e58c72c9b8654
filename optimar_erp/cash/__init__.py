"""Cash application (receipts → invoices) and AR/AP netting on a site."""
