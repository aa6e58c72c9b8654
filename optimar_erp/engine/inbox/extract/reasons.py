"""Dispute reasons and requested documents.

:func:`dispute_reason` returns one of :data:`REASONS` (keyword rules in English, Hinglish, Spanish, German
and French; the most matched reason wins, ties by the order of :data:`REASONS`); :data:`DISPUTE_REASON_CODE`
maps them onto the Dispute doctype's reason options. :func:`requested_document` returns one of
:data:`DOCUMENTS`.
"""

from __future__ import annotations

import re

REASONS: tuple[str, ...] = (
	"not_received",
	"duplicate",
	"already_paid",
	"quantity",
	"quality",
	"pricing",
	"tax",
	"other",
)
"""Dispute reason codes :func:`dispute_reason` returns (ties are broken in this order)."""

DISPUTE_REASON_CODE: dict[str, str] = {
	"pricing": "Pricing",
	"quantity": "Quantity",
	"quality": "Quality",
	"not_received": "Delivery / POD",
	"duplicate": "Duplicate Billing",
	"already_paid": "Other",
	"tax": "Other",
	"other": "Other",
}
"""Each reason as an option of the Dispute doctype's ``reason_code`` select."""

DOCUMENTS: tuple[str, ...] = (
	"tax_certificate",
	"po_delivery_proof",
	"bank_details",
	"statement",
	"invoice_copy",
	"other",
)
"""Documents :func:`requested_document` recognises. When several are named, a tax certificate, bank details
or a statement wins; between a PO / delivery proof and an invoice copy, the one named first."""


def _rules(table: dict[str, str]) -> dict[str, re.Pattern]:
	return {k: re.compile(v, re.IGNORECASE) for k, v in table.items()}


_REASON_RULES = _rules(
	{
		"not_received": r"not (?:yet )?(?:been )?(?:received|delivered|arrived|reached|supplied|dispatched|shipped)|premature|"
		r"not (?:yet )?(?:been )?(?:completed|installed|commissioned|finished|started|held)|"
		r"never (?:received|got|arrived|delivered|came|reached)|(?:didn'?t|did not|haven'?t|have not|hasn'?t|has not|havent|didnt|never)"
		r" (?:yet )?(?:receive|recieve|get|got|arrive|arrived|been delivered|reached|come)|no delivery|undelivered|"
		r"not (?:been )?(?:rendered|performed|completed|done|installed)|where (?:is|are) (?:the|our|my) (?:goods|material|order|shipment|delivery)|"
		r"nicht (?:erhalten|geliefert|angekommen|bekommen)|keine lieferung|no (?:hemos )?recibid|no ha llegado|no llegó|"
		r"pas (?:encore )?(?:reçu|été livr)|jamais reçu|nahi (?:mila|aaya|aya|pahucha|pahuncha)|nahin (?:mila|aaya)|mila hi nahi|deliver nahi",
		"duplicate": r"duplicat|twice|two times|double[- ]?(?:billed|charged|invoic|billing|entry|charge)|billed (?:us )?again|"
		r"same (?:invoice|bill|order|po)|already (?:been )?(?:invoiced|billed)|doppelt|zweimal|duplicad|dos veces|en double|"
		r"deux fois|do baar|same item billed",
		"already_paid": r"already (?:been )?(?:paid|settled|cleared|made|remitted|transferred|encashed)|settled in full|"
		r"paid on time|check your bank|(?:was|were|has been|have been|is) "
		r"(?:fully )?(?:paid|settled|cleared)(?! by)|paid (?:it |this |that )?(?:already|last|in full|weeks? ago|months? ago)|"
		r"bereits (?:bezahlt|beglichen|überwiesen)|schon (?:bezahlt|überwiesen)|ya (?:fue |está |lo hemos |hemos )?(?:pagad|abonad)|"
		r"déjà (?:été )?(?:payé|réglé)|pehle hi (?:pay|de|kar)|payment (?:kar )?diya (?:tha|hai)|de chuke",
		"quantity": r"quantit|\bqty\b|less than (?:invoiced|billed|ordered)|only \d+ (?:of|out of|were|was)\b|short(?:age| supply| shipment| delivery| delivered| shipped|-shipped| by \d)|"
		r"only (?:received|got|delivered|\d+ (?:units|pcs|pieces|boxes|cartons|bags|nos))|fewer|less (?:quantity|qty|units|pieces|items)|"
		r"missing (?:items|units|pieces|boxes|cartons|bags|quantity)|(?:units|pieces|boxes|cartons|items) (?:were |are )?(?:short|missing)|"
		r"partial (?:delivery|shipment|supply)|more (?:units|pieces|qty) than|menge|stückzahl|cantidad|unidades|quantité|kam (?:maal|quantity)|kam aaya",
		"quality": r"damag|defect|broken|faulty|quality|spec(?:ification)?s?\b|shr[au]nk|(?:approved|original) sample|not working|doesn'?t work|stopped working|poor|rejected|"
		r"returned (?:the |all )?(?:goods|material|items|product)|expired|leak|scratch|substandard|sub-standard|"
		r"wrong (?:item|product|material|model|size|colou?r|spec)|not (?:as per|according to) spec|beschädigt|defekt|mangelhaft|"
		r"qualität|dañad|defectuos|mala calidad|endommag|défectueu|abîmé|qualité|kharab|toota|tuta|tute",
		"pricing": r"\bprice|pricing|higher than|more than (?:the|our) (?:amount|po|order|quote)|not what we agreed|"
		r"(?:po|order) value|the difference|\brates?\b|over-?charg|overbill|over-?invoic|charged (?:us )?(?:more|extra|higher|wrong|incorrect)|"
		r"higher than (?:agreed|quoted|the quote|the po|our po|the contract)|discount|quot(?:ed|ation|e)\b|agreed (?:rate|price|amount)|"
		r"contract(?:ed)? (?:rate|price)|wrong amount|amount (?:is |was )?(?:wrong|incorrect)|excess (?:amount|charge)|freight|"
		r"preis|rabatt|zu viel berechnet|precio|descuento|cobrado de más|prix|remise|tarif|rate (?:galat|zyada)|zyada charge",
		"tax": r"\bgst|gstin|\bigst|\bcgst|\bsgst|\bvat\b|\btax(?:es)?\b|\btds\b|\bhsn\b|place of supply|reverse charge|"
		r"\bmwst\b|umsatzsteuer|\bust\b|\biva\b|\btva\b|e-?invoice|\birn\b|tax rate|steuer|impuesto|taxe",
	}
)


def dispute_reason(text: str) -> str:
	"""The dispute reason code (:data:`REASONS`) a reply gives; ``other`` when no rule matches."""
	counts = {reason: len(rx.findall(text)) for reason, rx in _REASON_RULES.items()}
	best = max(REASONS[:-1], key=lambda r: (counts[r] > 0, counts[r], -REASONS.index(r)))
	return best if counts[best] else "other"


_DOCUMENT_RULES = _rules(
	{
		"tax_certificate": r"\btds\b|form[- ]?16 ?a|\b16a\b|\bw-?9\b|\bw-?8(?:[- ]?ben(?:-e)?)?\b|\b1099\b|tax (?:residency |exemption |deduction )?"
		r"certificate|tax form|gst (?:registration )?certificate|registration certificate|msme|udyam|\bpan\b|lower deduction|"
		r"certificate of residence|trc\b|steuerbescheinigung|freistellungsbescheinigung|certificado (?:de )?(?:retención|residencia|fiscal)|"
		r"attestation (?:fiscale|de régularité)",
		"po_delivery_proof": r"\bpo\b(?! box)|\bp\.o\.|purchase order|delivery (?:proof|note|challan|receipt|confirmation)|proof of "
		r"(?:delivery|dispatch|shipment)|\bpod\b|\bgrn\b|goods receipt|challan|e-?way ?bill|\blr\b|lorry receipt|bill of lading|"
		r"\bbol\b|\bawb\b|signed (?:delivery|dc)|packing (?:list|slip)|lieferschein|bestellung|albar[aá]n|orden de compra|"
		r"bon de (?:livraison|commande)|timesheet|work completion|job completion|service report",
		"bank_details": r"bank (?:details|account|info|information|mandate|letter)|account (?:number|details)|\bifsc\b|\bswift\b|"
		r"\biban\b|cancell?ed cheque|bankverbindung|bankdaten|datos bancarios|coordonnées bancaires|\brib\b|payment details",
		"statement": r"statement|\bledger\b|account summary|\bsoa\b|reconcil|outstanding (?:list|summary|details|report)|"
		r"balance confirmation|aging|ageing|kontoauszug|kontenabstimmung|saldenbestätigung|saldenliste|offene posten|"
		r"estado de cuenta|extracto|relevé|hisaab|hisab",
		"invoice_copy": r"cop(?:y|ies)|kopie|noch (?:ein)?mal|erneut|\bpdf\b|duplicate invoice|scan|re-?send|resend|send (?:us |me )?(?:again )?(?:the |a |all )?"
		r"(?:invoices?|bills?(?! of lading))|invoice (?:copy|copies|attachment)|tax invoice|original invoice|rechnungskopie|kopie der rechnung|"
		r"rechnung (?:erneut|nochmal|noch einmal)|copia de (?:la )?factura|reenv[ií]|copie de (?:la )?facture|renvoyer",
	}
)


def requested_document(text: str) -> str:
	"""The document a reply asks for (:data:`DOCUMENTS`); ``invoice_copy`` when only an invoice is named,
	``other`` when nothing is recognised."""
	for doc in ("tax_certificate", "bank_details", "statement"):
		if _DOCUMENT_RULES[doc].search(text):
			return doc
	# "the invoice copy with the PO number" / "the PO copy": the one named first.
	hits = [
		(m.start(), doc)
		for doc in ("po_delivery_proof", "invoice_copy")
		if (m := _DOCUMENT_RULES[doc].search(text))
	]
	if hits:
		return min(hits)[1]
	if re.search(r"\b(?:invoices?|bills?|factura|rechnung|facture)\b", text, re.IGNORECASE):
		return "invoice_copy"
	return "other"
