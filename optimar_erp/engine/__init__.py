"""OptimAR's functional core: takes plain tables (pandas DataFrames), returns decisions and figures.

Nothing here imports frappe or erpnext, so it runs (and is tested) in any Python with pandas: the
Frappe layer reads site data into these tables, calls the engine, and persists what it returns.
"""

from optimar_erp.engine.analytics import (
	DEFAULT_BUCKETS,
	AgingResult,
	add,
	aging,
	aging_of_balances,
	best_possible_dso,
	bucket_labels,
	cei,
	dso_countback,
	dso_standard,
	events_from_invoices,
	monthly_metrics,
	outstanding_at,
	summary,
)
from optimar_erp.engine.html_report import render_html
from optimar_erp.engine.schema import (
	FIELDS,
	REQUIRED_COLUMNS,
	SchemaError,
	apply_mapping,
	read_ledger,
	validate_invoices,
)
from optimar_erp.engine.simulate import Book, simulate_book

__all__ = [
	"DEFAULT_BUCKETS",
	"FIELDS",
	"REQUIRED_COLUMNS",
	"AgingResult",
	"Book",
	"SchemaError",
	"add",
	"aging",
	"aging_of_balances",
	"apply_mapping",
	"best_possible_dso",
	"bucket_labels",
	"cei",
	"dso_countback",
	"dso_standard",
	"events_from_invoices",
	"monthly_metrics",
	"outstanding_at",
	"read_ledger",
	"render_html",
	"simulate_book",
	"summary",
	"validate_invoices",
]
