"""How ``corpus.jsonl`` was made: hand-written replies to payment reminders, rendered with varied slots.

``python -m optimar_erp.engine.inbox.corpus_build [--out PATH] [--seed 7] [--copies 2]`` rewrites the
corpus. The shipped file is the artefact the classifier trains on; this script documents where it came
from and lets it be regrown.

Each template below is one hand-written reply (language, label, text) with slots: ``{D}`` a promised
date, ``{P}`` a past payment date, ``{B}`` a return date after "back", ``{U}`` a date after "until",
``{RANGE}`` an absence "from X to Y", ``{A}`` an amount, ``{I}``/``{I2}`` invoice numbers, ``{R}`` a
payment reference, ``{N}``/``{C}`` a person and a company. Every template is rendered ``copies`` times,
each with its own received date, slot values in many written forms (``next Friday``, ``28/11/2026``,
``5th Dec``, ``mahine ke end tak``, ``nächste Woche``, ``₹4,50,000``, ``2.5 lakh``, ``EUR 3.400,50`` …)
and its own wrapping: greeting, sign-off and signature block, disclaimer, a quoted reminder (``On …
wrote:`` with ``>`` lines, an Outlook ``From:/Sent:`` block, German/Spanish/French headers) or a
forwarded message, lower-casing and typos. The slot values are drawn first and written out second,
so every record carries the fields a reader should find (``expect``), computed here by plain date
arithmetic, independently of :mod:`~optimar_erp.engine.inbox.extract`.

Record: ``{"id", "group", "intent", "lang", "text", "received", "expect"}``; ``group`` is the template,
so a held-out split can keep a template's renderings together.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import random
import re
from pathlib import Path

CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")

# ----------------------------------------------------------------------------------------- templates
# "lang|label|text": label is the dispute reason or the requested document ("-" otherwise); "\n" is a
# line break.

PROMISE = r"""
en|-|We will release the payment of {A} {D}.
en|-|Payment for invoice {I} is scheduled {D}. Sorry for the delay.
en|-|Hi, noted. We'll clear the dues {D}.
en|-|Our payment run is {D} and your invoice {I} is included in it.
en|-|Sorry for the delay, the cheque will be ready {D}.
en|-|will pay {D}
en|-|ok will transfer {A} {D}
en|-|We are waiting for funds from our own customer. You can expect the payment {D}.
en|-|We can pay 50% ({A}) {D} and the balance the month after. Hope that works.
en|-|The invoice has been approved and will be paid in the next cycle, {D}.
en|-|Our director is travelling and has to sign the cheque. It should go out {D}.
en|-|payment is under process, will be done {D}
en|-|We'll make the payment {D} without fail.
en|-|Apologies, this slipped through. We are processing {A} now and it should reach you {D}.
en|-|Please hold the reminders, payment against {I} will be made {D}.
en|-|Kindly give us time till the end of this cycle, we will pay the full amount of {A} {D}.
en|-|We have scheduled the bank transfer {D}.
en|-|Funds will be released {D} after the board approval.
en|-|Payment will be made {D}.
en|-|payment is in process and will be credited to your account {D}
en|-|We plan to settle invoices {I} and {I2} {D}.
en|-|Our accounts team confirmed that {A} will go out {D}.
en|-|Will clear {A} {D}, the rest next month.
en|-|Expect the wire {D}.
en|-|Yes yes, we will pay {D}. No need to email us every day.
en|-|Stop chasing. You'll get your money {D}.
en|-|I spoke to our CFO, he has approved the payment of {A}. It will be processed {D}.
en|-|We had a cash crunch this month but will pay the outstanding {D}. Thanks for your patience.
en|-|The payment for {I} is on hold for internal approval. Tentatively {D}.
en|-|We are clearing all vendor payments {D}, yours is on the list.
en|-|Thanks for the reminder. We'll pay {A} {D}.
en|-|Can you wait until {D}? We will definitely pay then.
en|-|Hi {N}, the cheque for {A} will be deposited {D}.
en|-|Got it. Transfer of {A} planned {D}.
en|-|We will pay {D} once our GST refund comes in.
en|-|Payment of {I} has been approved; it will be released {D}.
en|-|Sorry, our system was down. We will process your payment {D}.
en|-|We will settle this {D}. Please send the reminders to accounts@ from now on.
en|-|The amount of {A} will be paid {D} along with the next invoice.
en|-|Will pay the pending amount {D}, please do not put us on hold.
en|-|We commit to paying {A} {D}.
en|-|Release is planned {D}. Will share the UTR once done.
en|-|I will personally make sure {I} is paid {D}.
en|-|Our bank holiday delayed things, payment {D} for sure.
en|-|Hello, please note the payment will be done {D}. Regards
en|-|We'll pay {D}, but please send the updated statement as well.
en|-|Payment of {A} against {I} will be made {D}, the remaining after we check the credit note.
en|-|This will be paid {D}.
en|-|Pls expect payment {D}
en|-|We have raised the payment request. It will be processed {D}.
en|-|Approved for payment. Value date {D}.
en|-|We will try our best to pay {D}.
en|-|Our payment terms are 60 days, so this will be paid {D}.
en|-|We pay suppliers twice a month; the next run is {D}.
en|-|will send cheque {D}, pls dont call again
en|-|Noted with thanks. We will make the payment soon.
en|-|Payment is under process. Will update you shortly.
en|-|We'll pay as soon as we receive funds from our customer.
en|-|The invoice is in our payment queue and will be paid in due course.
en|-|We will clear it shortly, please bear with us.
en|-|Will pay next cycle, just waiting for approval.
en|-|ok. will arrange the payment asap
en|-|Our finance head will release the payment once he's back. Shouldn't be long.
hi|-|Sir payment {D} kar denge.
hi|-|{D} payment ho jayega, tension mat lo
hi|-|Bhai {A} {D} bhej denge, thoda wait karo
hi|-|payment process mein hai, {D} aa jayega
hi|-|Cheque ready hai, {D} courier kar denge
hi|-|Sir abhi fund nahi hai, {D} pakka clear kar denge
hi|-|ok ji, {D} payment kar dunga
hi|-|{I} ka payment {D} ho jayega sir
hi|-|haan ji, {A} ka transfer {D} kar rahe hai
hi|-|sir thoda time dijiye, {D} full payment kar denge
hi|-|Accounts wale bol rahe hain {D} release hoga
hi|-|payment jaldi kar denge sir, abhi thoda tight hai
hi|-|Sir jaldi payment kar denge, please reminder mat bhejo
es|-|Realizaremos el pago {D}.
es|-|Le confirmo que la transferencia de {A} saldrá {D}.
es|-|Pagaremos la factura {I} {D}. Disculpe el retraso.
es|-|El pago está programado, lo recibirá {D}.
es|-|Hola, haremos la transferencia {D}. Un saludo.
de|-|Wir werden die Zahlung {D} veranlassen.
de|-|Die Überweisung von {A} erfolgt {D}.
de|-|Rechnung {I} wird {D} bezahlt. Entschuldigen Sie die Verzögerung.
de|-|Die Zahlung ist freigegeben und geht {D} raus.
de|-|Wir zahlen {D}, bitte keine weiteren Mahnungen.
fr|-|Nous effectuerons le paiement {D}.
fr|-|Le virement de {A} partira {D}.
fr|-|La facture {I} sera réglée {D}. Désolé pour le retard.
fr|-|Le paiement est validé, vous le recevrez {D}.
en|-|Sorry, cash flow has been tight. We'll pay {A} {D} and the rest in instalments.
en|-|Our cheque run happens {D}. You are on it.
en|-|I have asked our accounts team to release it {D}.
en|-|I'll make sure it's paid {D}.
en|-|The money will be in your account {D}.
en|-|Please wait till {D}, we are expecting a big receivable.
en|-|We will transfer the outstanding amount {D}.
en|-|Payment approved by management, will hit your account {D}.
en|-|We're good for it. {D} latest.
en|-|Hi, just confirming we will pay the {A} {D}.
en|-|Yes, received the reminder. Payment {D}.
en|-|Invoice {I} will be settled {D} together with {I2}.
en|-|We're aiming to clear everything {D}.
en|-|The finance team has promised to release it {D}, I'll follow up internally.
en|-|Our bank is processing a loan disbursement; we will pay you {D}.
en|-|Part payment of {A} will be done {D}.
en|-|Let me confirm: the transfer will happen {D}.
en|-|Payment will reach you {D}, kindly stop the follow-ups till then.
en|-|We intend to pay {D}.
en|-|We will pay once the machine is installed, which should be {D}.
en|-|Can we pay {A} {D} and the rest {D}?
en|-|Payment has been scheduled for release {D} by our treasury.
hi|-|sir {D} paisa aa jayega aapke account mein
hi|-|bas {D} ruk jao, payment ho jayega
hi|-|{A} ka cheque {D} milega
hi|-|haan sir, {D} NEFT kar denge
hi|-|sir boss se baat ho gayi, {D} release karenge
hi|-|payment {D} pakka, promise
es|-|Le pagaremos {D} sin falta.
es|-|El pago de {A} se hará {D}.
es|-|Estamos esperando la aprobación, el pago saldrá {D}.
de|-|Wir überweisen den Betrag {D}.
de|-|Die Zahlung von {A} wird {D} ausgeführt.
de|-|Sie erhalten Ihr Geld {D}.
fr|-|Nous réglerons la facture {I} {D}.
fr|-|Le paiement sera effectué {D}, merci de votre patience.
fr|-|Nous allons payer {A} {D}.
"""

DISPUTE = r"""
en|pricing|The rate charged on {I} is higher than the agreed price in our PO. Please issue a credit note.
en|pricing|You have billed us at the old price. The new rate was effective from last quarter.
en|pricing|The discount of 5% we agreed on is not applied in this invoice.
en|pricing|We were overcharged on freight. The quote said delivery was included.
en|pricing|Invoice amount does not match the quotation. We will not pay until it is corrected.
en|pricing|unit price on {I} is wrong, pls revise and resend
en|pricing|Why is the price per unit 10% more than the contract rate? Please explain.
en|pricing|We cannot process this, the amount is wrong. The agreed rate was lower.
en|pricing|This invoice is higher than the purchase order value. Kindly check and revise.
en|quantity|We ordered 100 units but received only 80. Please revise the invoice for the actual quantity.
en|quantity|There is a short supply of 12 cartons against {I}. We will pay only for what was delivered.
en|quantity|Quantity billed does not match the delivery challan. 5 boxes were missing.
en|quantity|Only partial delivery was made, yet you billed the full quantity.
en|quantity|qty mismatch on {I}, we got 40 pcs not 50
en|quantity|The GRN shows fewer units than the invoice. Please correct it.
en|quality|The goods delivered were damaged in transit. We have rejected the consignment.
en|quality|Half of the material supplied is defective. We are not paying until replacements arrive.
en|quality|The machine stopped working after two days. We need a technician before we release any payment.
en|quality|The quality of the last batch was poor and we returned the goods. Why are you still asking for payment?
en|quality|Several items arrived broken, photos attached. Please raise a credit note.
en|quality|Wrong material was supplied against our order. The invoice {I} is not payable.
en|quality|product is faulty, we already told your sales guy. dont send reminders
en|quality|The printed cartons are not as per the approved specification.
en|not_received|We have not received the goods for this invoice yet. How can we pay?
en|not_received|We never received this shipment. Please check with your transporter.
en|not_received|The service mentioned in {I} has not been rendered. Please do not chase for payment.
en|not_received|Our warehouse says the material hasn't arrived. Please send proof or cancel the invoice.
en|not_received|how many times do i have to tell you we never got the goods
en|not_received|The installation is not yet completed, so the invoice is premature.
en|not_received|We did not receive any delivery against PO 4500123. This invoice is not valid.
en|duplicate|This looks like a duplicate invoice. We already paid the same one under a different number.
en|duplicate|You have billed us twice for the same delivery: {I} and {I2}.
en|duplicate|{I} is a duplicate of {I2}. Please cancel it.
en|duplicate|Same invoice was sent twice with different numbers. We will pay only once.
en|duplicate|Double billing again! Please fix your system.
en|already_paid|We have already paid this invoice last month. Please check your records and stop the reminders.
en|already_paid|This was settled in full in October. Your statement is wrong.
en|already_paid|Why are we getting this reminder? {I} was cleared weeks ago.
en|already_paid|STOP SENDING REMINDERS. IT HAS BEEN PAID ALREADY.
en|already_paid|This invoice has been paid. Please reconcile your ledger before you send these emails.
en|already_paid|We do not owe you anything. {I} was paid along with the previous batch.
en|tax|The GST number on the invoice is wrong, so we cannot claim input credit. Please reissue.
en|tax|IGST has been charged instead of CGST and SGST. The place of supply is Maharashtra.
en|tax|The HSN code and tax rate on {I} are incorrect. Please issue a revised tax invoice.
en|tax|Your invoice is not showing in GSTR-2B. We will pay after you file it.
en|tax|VAT was charged although we gave you our exemption certificate.
en|tax|e-invoice IRN is missing on {I}, our auditor won't accept it.
en|other|We are disputing this invoice. Our procurement team will get back to you.
en|other|This invoice was not authorised by anyone on our side. Who placed this order?
en|other|We have raised a query on {I} with your sales team and are waiting for their reply.
en|pricing|Not paying this. The price is not what we agreed and you know it.
en|quantity|we received 3 pallets less than invoiced, please correct
en|quality|The fabric shrank after the first wash. This batch is rejected.
en|not_received|Courier tracking shows the parcel was returned to you. We never got it.
en|duplicate|You have charged the same PO twice this month.
en|already_paid|Paid on time. Check your bank statement before accusing us of being late.
hi|not_received|Sir maal abhi tak nahi mila, payment kaise karein?
hi|quality|Sir aadha maal kharab nikla, credit note bhejo pehle
hi|pricing|rate galat lagaya hai bhai, PO mein kam rate tha
hi|already_paid|Payment to pehle hi kar diya tha sir, aap check karo
hi|duplicate|Ek hi invoice do baar bhej diya hai aapne
hi|quantity|maal kam aaya hai sir, 10 box short the
es|pricing|El precio de la factura {I} no coincide con el pedido. Por favor envíen una nota de crédito.
es|quality|La mercancía llegó dañada. No vamos a pagar hasta recibir el reemplazo.
es|not_received|No hemos recibido el material de esta factura.
es|already_paid|Esta factura ya fue pagada el mes pasado. Revisen sus registros.
de|pricing|Der berechnete Preis entspricht nicht unserem Angebot. Bitte senden Sie eine Gutschrift.
de|quality|Die Ware ist beschädigt angekommen, wir zahlen erst nach Ersatzlieferung.
de|not_received|Wir haben die Lieferung zu Rechnung {I} nicht erhalten.
de|duplicate|Diese Rechnung wurde uns doppelt gestellt.
fr|quality|La marchandise est arrivée endommagée, nous ne pouvons pas payer cette facture.
fr|pricing|Le prix facturé ne correspond pas au devis. Merci d'émettre un avoir.
fr|not_received|Nous n'avons pas encore reçu la livraison correspondant à la facture {I}.
en|pricing|We were promised a 10% volume discount that is missing from this bill.
en|pricing|The freight charges on {I} were never agreed. Remove them and resend.
en|pricing|This is more than the amount on our PO. We won't pay the difference.
en|pricing|You invoiced the list price instead of our contract price.
en|pricing|the rate is not as per the quotation, send a revised bill
en|quantity|Only 45 of the 50 units arrived, please correct the invoice.
en|quantity|The invoice shows 200 kg but the weighbridge slip says 180 kg, so the quantity is wrong.
en|quantity|You billed for 12 hours of consulting but only 8 were delivered.
en|quality|The spare parts don't fit our machines and are of poor quality. We're sending them back.
en|quality|The food items were expired on arrival. We will not pay for this lot.
en|quality|Your software has been down for half the month; the service quality is unacceptable and we expect a credit.
en|quality|Colour of the fabric doesn't match the approved sample, it's the wrong colour.
en|not_received|Still waiting for the delivery, the invoice cannot be paid before we receive it. Goods not received.
en|not_received|The training session on the invoice was never held, the service was not rendered.
en|not_received|where is our material? you billed us 3 weeks ago and nothing has arrived, we never received it
en|other|We cancelled this order before dispatch. Please cancel the invoice too.
en|duplicate|This invoice is the same as the one we paid under {I}, it's a duplicate.
en|duplicate|We got two invoices for the same PO. We'll pay one, the other is a duplicate.
en|already_paid|We cleared this with a cheque last month and it has already been encashed. Check your bank.
en|already_paid|According to our books this has been paid in full. Please send proof otherwise.
en|tax|TDS has been deducted as per law, so the balance you are chasing is not due.
en|tax|Your GSTIN is inactive on the GST portal. We can't pay until it is restored.
en|tax|Wrong tax rate applied: GST should be 12% not 18%.
en|other|Your delivery person was rude to our staff. We are holding the payment until we get an apology.
en|other|We do not agree with this invoice at all. Please call me.
en|other|The contract was terminated in March; this invoice should not exist.
hi|pricing|sir discount nahi lagaya invoice mein, rate galat hai, revise karke bhejo
hi|quality|maal toota hua aaya hai, kharab hai, payment nahi karenge
hi|not_received|service abhi tak complete nahi hui, maal bhi nahi mila, payment kaise karein
hi|tax|GST galat lagaya hai, IGST ki jagah CGST SGST hona chahiye
es|duplicate|Nos han facturado dos veces el mismo pedido.
es|quantity|La cantidad facturada no coincide con la entregada.
es|tax|El IVA aplicado en la factura es incorrecto.
de|quantity|Die gelieferte Menge stimmt nicht mit der Rechnung überein.
de|already_paid|Die Rechnung wurde bereits bezahlt, bitte prüfen Sie Ihre Buchhaltung.
de|tax|Die Umsatzsteuer auf der Rechnung ist falsch ausgewiesen.
fr|duplicate|Cette facture nous a été envoyée en double.
fr|already_paid|Cette facture a déjà été réglée le mois dernier.
fr|quantity|La quantité facturée ne correspond pas à la quantité livrée.
"""

PAYMENT = r"""
en|-|We have made the payment of {A} {P}. {R}.
en|-|Payment done {P}. {R}
en|-|Hi, {A} has been transferred against invoice {I} {P}. {R}.
en|-|Please find the remittance advice attached. We paid {A} {P} for {I} and {I2}.
en|-|The payment has been released {P} via NEFT, {R}.
en|-|cheque sent {P}, {R}
en|-|We have paid {I} in full {P}. Kindly update your records.
en|-|Paid. {R}
en|-|Payment of {A} was credited to your account {P}. Please confirm receipt.
en|-|We deposited the cheque in your bank {P}. {R}.
en|-|The wire went out {P}, it should show in your account soon. {R}.
en|-|Transfer completed {P} for {A}. {R}. Please send the receipt.
en|-|Hi {N}, payment for {I} was processed {P}. Details: {R}.
en|-|We paid {A} after deducting TDS of 2%. {R}.
en|-|Done. {A} sent {P}.
en|-|We have cleared all outstanding invoices {P}. Total {A}. {R}.
en|-|Payment has been made. Please check and confirm. {R}
en|-|PFA payment confirmation for {I}. Amount {A}, {R}.
en|-|Remittance: {A} paid on account {P}. {R}.
en|-|Paid {I} {P} by UPI. {R}
en|-|we transferred the money {P}, pls check
en|-|Sorry for the delay. Payment of {A} has now been made. {R}.
en|-|Your invoice {I} has been settled {P}. Remittance advice to follow.
en|-|Payment made through our bank portal {P}, {R}.
en|-|The amount was paid {P} into the account mentioned on the invoice.
en|-|We have sent you {A} today, please allocate it to {I}. {R}.
en|-|Payment has been processed in today's run. {R}.
en|-|Hi, we paid this {P}. Transaction reference is in the attached advice.
en|-|Funds of {A} were released {P} against {I}, {I2}. {R}.
en|-|Cheque handed over to your sales rep {P}. {R}.
en|-|The balance of {A} was paid {P}. That should close our account.
en|-|ACH payment initiated {P} for {A}. {R}.
en|-|Good news, payment is done! {A} for {I}. {R}
en|-|We have made a part payment of {A} {P}. Balance next week.
en|-|Already transferred {P}. Please check with your bank. {R}.
en|-|Kindly note we have remitted {A} {P}. {R}.
en|-|Payment for the last three invoices has been made {P}. {R}.
en|-|This has been taken care of {P}. {R}.
en|-|Amount credited {P}. {R}. Thank you for the patience.
en|-|The DD for {A} was couriered {P}. {R}.
en|-|Payment of {I} completed. {R}. Please send us the updated statement.
en|-|We settled {A} {P} via RTGS, {R}. Remaining invoices are under process.
en|-|paid {A} {P} {R}
en|-|Hi team, we have paid. Please find the details below:\nAmount: {A}\nDate: {P}\nReference: {R}
en|-|Payment advice\nInvoice: {I}\nAmount paid: {A}\nPayment date: {P}\n{R}
advice|-|Dear Customer, your NEFT transaction of {A} to OPTIMAR DEMO PVT LTD has been processed {P}. {R}.
advice|-|Payment Advice: We have initiated a payment of {A} to your account {P}. Invoices: {I}. {R}.
advice|-|Remittance Advice\nPayer: {C}\nAmount: {A}\nValue date: {P}\n{R}
advice|-|This is to inform you that an amount of {A} has been credited {P}. {R}. Invoice ref: {I}.
hi|-|Sir payment {P} kar diya hai, {R}
hi|-|{A} transfer kar diya {P}, check kar lo
hi|-|payment ho gaya sir {P}, {R}
hi|-|cheque {P} de diya tha aapke aadmi ko, {R}
hi|-|Sir {I} ka payment kar diya hai, {R}
hi|-|bhai paisa bhej diya {P}, confirm karo
es|-|Hemos realizado el pago de {A} {P}. {R}.
es|-|La transferencia de la factura {I} se hizo {P}.
es|-|Pago realizado {P}, {R}.
de|-|Wir haben {A} {P} überwiesen. {R}.
de|-|Die Rechnung {I} wurde {P} bezahlt.
de|-|Zahlung erfolgt {P}, {R}.
fr|-|Nous avons effectué le virement de {A} {P}. {R}.
fr|-|La facture {I} a été réglée {P}.
fr|-|Paiement effectué {P}, {R}.
en|-|Money sent. {R}
en|-|We have paid the invoice {I} today by cheque. {R}.
en|-|FYI the payment went through {P}.
en|-|Transferred {A} to your HDFC account {P}, {R}.
en|-|The amount has been remitted to your bank account {P}. Please acknowledge.
en|-|Our bank confirms the transfer of {A} was successful. {R}.
en|-|I just made the payment online. {R}.
en|-|Payment is complete for all invoices up to {I}. {R}.
en|-|The payment was made {P} through the vendor portal. You should have received an email.
en|-|Please confirm you have received {A} sent {P}.
en|-|Check your account, we deposited cash {P}.
en|-|Remitted in full {P}. {R}.
en|-|We've wired {A} {P}; the confirmation is attached.
en|-|Settled {I} {P}. {R}.
en|-|Payment against your invoice has been credited {P}. {R}.
en|-|Our accounts team released the payment {P}. {R}.
hi|-|sir NEFT ho gaya hai {P}, {R}
hi|-|payment kar diya hai {A}, {R}
hi|-|{P} RTGS kiya tha, {R}, check karke batao
es|-|Ya hemos pagado la factura {I}, {R}.
es|-|El importe de {A} fue transferido {P}.
de|-|Der Betrag von {A} wurde {P} an Sie überwiesen.
de|-|Wir haben die Rechnung {I} {P} beglichen. {R}.
fr|-|Le paiement de {A} a été effectué {P}.
fr|-|Nous avons réglé la facture {I} {P}, {R}.
advice|-|Dear Sir/Madam, we wish to inform you that a payment of {A} has been made to your account {P}. {R}. Remarks: {I}.
advice|-|Transaction successful. Amount: {A}. Beneficiary: OPTIMAR DEMO PVT LTD. {R}. Paid {P}.
"""

DOCUMENT = r"""
en|invoice_copy|Can you please send us a copy of invoice {I}? We can't find it in our system.
en|invoice_copy|We did not receive the invoice. Please resend it so we can process the payment.
en|invoice_copy|Kindly share the PDF of {I} and {I2}.
en|invoice_copy|please send invoice copy
en|invoice_copy|Our AP team needs the original invoice to book it. Could you email it again?
en|invoice_copy|The attachment was missing in your email. Please send the invoice again.
en|invoice_copy|Can I get a duplicate copy of the tax invoice for {I}? The one we got is not readable.
en|invoice_copy|Please re-send all the open invoices, we are moving to a new system.
en|invoice_copy|Send me the bill again please, lost the email.
en|invoice_copy|Could you send a scanned copy of the signed invoice?
en|invoice_copy|We need the invoice copy with the PO number mentioned to process it.
en|statement|Please send us a statement of account so we can reconcile.
en|statement|Can you share the ledger for the last 6 months? Our balances don't match.
en|statement|Kindly send the account statement as of today with all open items.
en|statement|please share soa
en|statement|Before we pay, send us a full statement showing the invoices, payments and credit notes.
en|statement|We need a balance confirmation for our year-end audit.
en|statement|Please send your ageing report of our account.
en|statement|Our figures show a lower outstanding. Send the reconciliation statement please.
en|tax_certificate|Please send your W-9 form, we can't pay a new vendor without it.
en|tax_certificate|We need your TDS certificate, Form 16A, for the last quarter.
en|tax_certificate|Kindly share your GST registration certificate and PAN card copy.
en|tax_certificate|Please send the lower deduction certificate, otherwise we will deduct TDS at the normal rate.
en|tax_certificate|Our vendor master needs your MSME / Udyam certificate before we release payment.
en|tax_certificate|Please provide a tax residency certificate and W-8BEN-E so we can apply the treaty rate.
en|tax_certificate|Need your PAN and GSTIN details for the vendor registration.
en|po_delivery_proof|Please share the proof of delivery for {I}. Our stores have no record of it.
en|po_delivery_proof|Kindly send the signed delivery challan and e-way bill.
en|po_delivery_proof|Which PO is this invoice against? Please send the PO copy.
en|po_delivery_proof|We need the GRN or POD before we can approve the payment.
en|po_delivery_proof|Please send the timesheet and the work completion certificate for this service invoice.
en|po_delivery_proof|Can you share the LR copy and the packing list?
en|po_delivery_proof|Send the bill of lading for the shipment, our customs team needs it.
en|po_delivery_proof|pls send POD
en|bank_details|Please send your bank details on your letterhead with a cancelled cheque.
en|bank_details|Has your bank account changed? Please confirm the account number and IFSC.
en|bank_details|Kindly share the IBAN and SWIFT code for the transfer.
en|bank_details|We need your bank account details to set you up for payment.
en|invoice_copy|Please send the invoice copy and we'll pay promptly.
en|statement|Can you send me a statement of everything we owe you?
hi|invoice_copy|Sir invoice ki copy bhej do please
hi|statement|Sir ledger bhej do, hisaab match karna hai
hi|po_delivery_proof|Sir delivery challan aur e-way bill ki copy chahiye
hi|bank_details|bank details bhejo sir, cancelled cheque ke saath
es|invoice_copy|¿Podrían enviarnos una copia de la factura {I}?
es|statement|Por favor envíen el estado de cuenta actualizado.
es|po_delivery_proof|Necesitamos el albarán firmado para aprobar el pago.
de|invoice_copy|Bitte senden Sie uns eine Kopie der Rechnung {I}.
de|statement|Könnten Sie uns einen aktuellen Kontoauszug schicken?
de|po_delivery_proof|Bitte schicken Sie den unterschriebenen Lieferschein.
de|tax_certificate|Wir benötigen Ihre Freistellungsbescheinigung.
fr|invoice_copy|Pourriez-vous nous renvoyer une copie de la facture {I} ?
fr|statement|Merci de nous envoyer un relevé de compte à jour.
fr|po_delivery_proof|Merci de nous transmettre le bon de livraison signé.
en|invoice_copy|Please email the invoice again, it went to an old address.
en|invoice_copy|Can you share invoices {I} and {I2} as PDF? Our portal needs them.
en|invoice_copy|We can't find this bill in our system. Kindly resend it with the PO reference.
en|invoice_copy|Could you send us the e-invoice copy with the IRN and QR code?
en|statement|Can we get a statement of open invoices for our account?
en|statement|Please send the SOA as on 31st March for audit.
en|statement|Could you share a reconciliation of payments received vs invoices raised?
en|statement|Please send me a statement with the list of all outstanding invoices.
en|tax_certificate|Please send a copy of your TDS certificate for Q2.
en|tax_certificate|We need your Form W-9 before the payment can be released.
en|tax_certificate|Kindly share the Form 16A for the TDS deducted last year.
en|po_delivery_proof|Please attach the PO reference and the delivery note to the invoice.
en|po_delivery_proof|We need the signed proof of delivery for the last three shipments.
en|po_delivery_proof|Send the service report signed by our engineer, then we'll process.
en|po_delivery_proof|Please share the e-way bill and LR copy for {I}.
en|bank_details|Please share your bank account details for the transfer; the old account is closed.
en|bank_details|Send a cancelled cheque please, our bank needs to verify your account.
en|bank_details|What is your IFSC code? The transfer failed.
hi|invoice_copy|bill ki copy dobara bhejo, mil nahi raha
hi|tax_certificate|Sir TDS certificate chahiye, Form 16A bhej do
hi|statement|sir account statement bhejo please, reconcile karna hai
es|tax_certificate|Necesitamos su certificado de residencia fiscal.
es|bank_details|Por favor envíen sus datos bancarios actualizados.
es|invoice_copy|Por favor reenvíen la factura {I}, no la encontramos.
de|bank_details|Bitte teilen Sie uns Ihre Bankverbindung mit.
de|invoice_copy|Könnten Sie die Rechnung {I} noch einmal schicken? Wir brauchen eine Kopie.
de|statement|Bitte senden Sie uns eine Saldenbestätigung zum Jahresende.
fr|bank_details|Merci de nous envoyer vos coordonnées bancaires (RIB).
fr|tax_certificate|Pouvez-vous nous envoyer votre attestation de régularité fiscale ?
fr|invoice_copy|Merci de renvoyer la facture {I}, nous ne l'avons pas reçue.
"""

OUT_OF_OFFICE = r"""
en|-|Thank you for your email. I am out of the office and will be back {B}. For urgent matters please contact accounts@{c}.com.
en|-|I am currently on leave until {U} with limited access to email.
en|-|Automatic reply: I'm out of office {RANGE}. I will respond to your email when I return.
en|-|Hi, I'm away {RANGE} with no access to email. For payments please write to ap@{c}.com.
en|-|Out of office. Back {B}.
en|-|I am travelling and will be back in the office {B}. Your message will not be forwarded.
en|-|Thanks for your message. I'm on annual leave until {U}. In my absence, please contact {N}.
en|-|Auto-reply: I am attending a conference and will return {B}.
en|-|I am on maternity leave until {U}. Please direct all accounting queries to finance@{c}.com.
en|-|This mailbox is not monitored {RANGE} due to our year-end closing. Please resend after that.
en|-|Automatic reply: Our office is closed for Diwali {RANGE}. We will reply when we reopen.
en|-|I'm out sick today and will be back {B}.
en|-|Currently out of office with no access to email. I will be back {B}.
en|-|I will be out of the office until {U}. If your matter is urgent, please call +91 22 4000 1234.
en|-|Hello, I am on vacation and returning {B}. Thank you.
en|-|Auto reply - on leave, back {B}
en|-|Thank you for contacting us. The accounts team is away for the holidays and back {B}.
en|-|I'm OOO until {U}.
en|-|Please note I am on a business trip until {U} and will have limited access to email.
en|-|Hi there, I'm out of the office {RANGE}. I'll get back to you as soon as possible after that.
en|-|Automatic reply: I am no longer checking this inbox on weekends. I will reply on the next working day.
en|-|Thank you for your email. I am out of the office with limited access to email.
en|-|I'm currently away. I'll reply to your email when I return.
de|-|Vielen Dank für Ihre Nachricht. Ich bin bis {U} nicht im Büro und habe keinen Zugriff auf E-Mails.
de|-|Ich bin {RANGE} im Urlaub und danach wieder erreichbar.
de|-|Abwesenheitsnotiz: Ich bin wieder zurück {B}. In dringenden Fällen wenden Sie sich an buchhaltung@{c}.de.
es|-|Gracias por su mensaje. Estoy fuera de la oficina hasta {U}.
es|-|Respuesta automática: estoy de vacaciones y regreso {B}.
fr|-|Je suis absent du bureau jusqu'au {U}. Pour toute urgence, contactez compta@{c}.fr.
fr|-|Réponse automatique : je suis en congé, de retour {B}.
en|-|I'm on paternity leave until {U}. {N} is covering for me.
en|-|Out of the office for a family emergency. I'll be back {B}.
en|-|Automatic reply: I am away on business and will return {B}. For urgent payment queries call our office.
en|-|Thanks for reaching out! I'm offline {RANGE} and will reply after that.
en|-|On holiday until {U}. Limited email access.
en|-|Our office is closed {RANGE} for the festive season. We'll respond when we reopen.
en|-|I am on medical leave and expect to be back {B}.
en|-|Auto-response: I am out of office until {U} and will not be checking email.
en|-|I'm out on training {RANGE}. Please expect delays in my replies.
hi|-|Auto reply: main chutti par hoon, {B} wapas aaunga.
de|-|Ich bin derzeit nicht im Büro und {B} wieder da.
de|-|Abwesenheitsnotiz: Ich bin bis {U} im Urlaub.
es|-|Estoy de vacaciones hasta {U}. Para urgencias escriba a contabilidad@{c}.com.
fr|-|Je suis en déplacement {RANGE}. Je vous répondrai à mon retour.
"""

OTHER = r"""
en|-|Noted.
en|-|ok
en|-|Received, thanks.
en|-|Who is this? I don't recognise your company.
en|-|Please remove me from this mailing list.
en|-|I no longer work at {C}. Please contact our new AP manager.
en|-|Please contact our accounts payable team at ap@{c}.com for all payment matters.
en|-|Can you call me tomorrow to discuss our account?
en|-|What is this about?
en|-|Thanks for the reminder, I'll forward it to our finance team.
en|-|We are moving to a new ERP system this month, please bear with us.
en|-|Please update our billing address to the new office in Pune.
en|-|Unsubscribe
en|-|Wrong person. I handle sales, not accounts.
en|-|Our company has been acquired. Please send future invoices to the parent company.
en|-|Can we get a longer credit period going forward? 30 days is too short for us.
en|-|Please add {N} in cc on all future reminders.
en|-|We have changed our GST registration, new details will follow.
en|-|Is there an option to pay by credit card?
en|-|Please stop sending these to my personal email.
en|-|Acknowledged.
en|-|Thanks, will check with the team.
en|-|Can you share your UPI ID or a payment link?
en|-|Who should I speak to about opening a new order?
en|-|We need more time, cash flow is very tight right now. Can we talk?
en|-|We are going through insolvency proceedings. Our lawyers will contact you.
en|-|Let me check internally and revert.
en|-|Please send future reminders on WhatsApp instead of email.
en|-|Is your office open on Saturday? I'd like to drop by.
en|-|Happy Diwali to you and your team!
en|-|I've forwarded this to {N} who handles vendor payments.
en|-|Your emails are going to our spam folder, please check your domain.
en|-|We would like to discuss a settlement for the older invoices.
en|-|Can we set up a call with your finance manager next week?
en|-|Please note our new vendor portal; all invoices must be uploaded there from now on.
en|-|Thank you.
en|-|This email address is invalid for AR matters.
en|-|Hi, can you tell me your company's registered address?
en|-|Please don't reply to this thread, use the ticket system instead.
en|-|I'm the new accountant here. Can you give me a quick overview of our account?
en|-|We're reviewing all our vendor contracts this quarter.
en|-|Sure.
en|-|Can you resend this in Hindi please?
en|-|Reminder received. Will discuss in our weekly meeting.
hi|-|ok sir
hi|-|sir ye kis cheez ka reminder hai?
hi|-|sir mujhe call kar lo, baat karte hai
hi|-|bhai ye mail galat jagah aa gaya
hi|-|theek hai, accounts ko bol deta hoon
hi|-|sir aap mere manager se baat karo
es|-|Recibido, gracias.
es|-|¿Quién es usted? No conozco su empresa.
es|-|Por favor, contacte con nuestro departamento de contabilidad.
de|-|Danke, zur Kenntnis genommen.
de|-|Bitte wenden Sie sich an unsere Buchhaltung.
de|-|Ich bin dafür nicht zuständig.
fr|-|Bien reçu, merci.
fr|-|Merci de contacter notre service comptabilité.
fr|-|Je ne suis pas la bonne personne pour ce sujet.
en|-|Please send all future correspondence to our new email ap@{c}.com.
en|-|Why are you emailing me? We are not your customer.
en|-|Kindly do not send reminders before the due date, it's annoying.
en|-|Is this a phishing mail? Please confirm it's genuine.
en|-|Can you give me the contact of your relationship manager?
en|-|We'd like to place a new order, who can help?
en|-|Our company name has changed to {C}. Please update your records.
en|-|Wrong email address, I don't work in finance.
en|-|Could you waive the interest you're charging on late payments this time?
en|-|Please call our office between 10 and 5.
en|-|Got it, thanks!
en|-|Can we meet next week to discuss the annual contract?
en|-|We have a new CFO, please introduce yourself to him.
en|-|Is it possible to pay in instalments? Please let me know the options.
en|-|How do I register on your customer portal?
en|-|The reminder template has a typo in our company name.
en|-|Please cc my colleague on this thread.
en|-|Looking into it.
en|-|Will revert.
en|-|Our AP team has moved to Bangalore, new phone numbers follow.
en|-|Please stop. This is the fifth email this week.
en|-|I am not authorised to make payments. Contact the owner.
hi|-|sir main abhi meeting mein hoon, baad mein baat karte hain
hi|-|kaun bol raha hai?
hi|-|ye email accounts department ko forward kar diya hai
hi|-|theek hai sir, dekhta hoon
es|-|Por favor, no me envíen más correos.
es|-|¿Podemos hablar por teléfono mañana?
de|-|Bitte entfernen Sie mich aus dem Verteiler.
de|-|Wer sind Sie? Wir kennen Ihre Firma nicht.
fr|-|Merci de ne plus m'écrire à cette adresse.
fr|-|Pouvons-nous en parler par téléphone ?
"""

TEMPLATES: dict[str, str] = {
	"promise_to_pay": PROMISE,
	"dispute": DISPUTE,
	"payment_made": PAYMENT,
	"document_request": DOCUMENT,
	"out_of_office": OUT_OF_OFFICE,
	"other": OTHER,
}

# ----------------------------------------------------------------------------------------- words

EN_WD = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HI_WD = ("somvar", "mangalvar", "budhvar", "guruvar", "shukravar", "shanivar", "ravivar")
ES_WD = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
DE_WD = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
FR_WD = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
EN_MON = [calendar.month_name[i] for i in range(1, 13)]
EN_ABBR = [calendar.month_abbr[i] for i in range(1, 13)]
ES_MON = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
DE_MON = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
FR_MON = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()

NAMES = (
	"Rahul Mehta",
	"Priya Sharma",
	"Anil Kumar",
	"Sneha Iyer",
	"Vikram Singh",
	"Deepa Nair",
	"John Miller",
	"Sarah Johnson",
	"Mike Chen",
	"Laura García",
	"Jörg Becker",
	"Claire Dubois",
	"Imran Shaikh",
	"Kavita Rao",
	"Suresh Patel",
	"Neha Gupta",
)
COMPANIES = (
	"Shree Balaji Traders",
	"Acme Industrial Supplies",
	"Sunrise Pharma Pvt Ltd",
	"Globex Logistics",
	"Patel Engineering Works",
	"Blue Ocean Foods",
	"Kaveri Textiles",
	"Northwind GmbH",
	"Iberia Componentes SL",
	"Lumière Distribution SARL",
	"Zenith Auto Parts",
	"Metro Builders LLP",
)


def ordinal(n: int) -> str:
	return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def month_end(d: dt.date) -> dt.date:
	return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def next_month_first(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def coming(r: dt.date, wd: int) -> dt.date:
	return r + dt.timedelta(days=(wd - r.weekday()) % 7 or 7)


def previous(r: dt.date, wd: int) -> dt.date:
	return r - dt.timedelta(days=(r.weekday() - wd) % 7 or 7)


def monday_after(r: dt.date) -> dt.date:
	return r + dt.timedelta(days=7 - r.weekday())


def next_weekday_after(d: dt.date) -> dt.date:
	d += dt.timedelta(days=1)
	while d.weekday() >= 5:
		d += dt.timedelta(days=1)
	return d


def business_days(r: dt.date, n: int) -> dt.date:
	d = r
	for _ in range(n):
		d += dt.timedelta(days=1)
		while d.weekday() >= 5:
			d += dt.timedelta(days=1)
	return d


def numeric(d: dt.date, rng: random.Random, sep: str = "/", year: bool = True) -> str:
	day, month = (f"{d.day:02d}", f"{d.month:02d}") if rng.random() < 0.6 else (str(d.day), str(d.month))
	out = f"{day}{sep}{month}"
	if year:
		out += f"{sep}{d.year}" if rng.random() < 0.8 else f"{sep}{d.year % 100:02d}"
	return out


# ------------------------------------------------------------------------------------ date slots


def absolute_en(t: dt.date, rng: random.Random) -> str:
	forms = [
		lambda: numeric(t, rng),
		lambda: numeric(t, rng, "-"),
		lambda: numeric(t, rng, "."),
		lambda: t.isoformat(),
		lambda: f"{ordinal(t.day)} {EN_ABBR[t.month - 1]}",
		lambda: f"{t.day} {EN_MON[t.month - 1]}",
		lambda: f"{EN_ABBR[t.month - 1]} {t.day}",
		lambda: f"{EN_MON[t.month - 1]} {ordinal(t.day)}",
		lambda: f"{EN_MON[t.month - 1]} {t.day}, {t.year}",
		lambda: f"{t.day} {EN_ABBR[t.month - 1]} {t.year}",
		lambda: f"{t.day:02d}-{EN_ABBR[t.month - 1]}-{t.year % 100:02d}",
		lambda: f"{EN_WD[t.weekday()]}, {t.day} {EN_MON[t.month - 1]}",
	]
	if t.day > 12:
		forms.append(lambda: f"{t.month}/{t.day}/{t.year}")  # US order, unambiguous
	return rng.choice(forms)()


def future_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A promised date written in ``lang``: (phrase with its own preposition, the date it means)."""
	wd = rng.randrange(5)
	n = rng.randint(2, 20)
	t = r + dt.timedelta(days=rng.randint(1, 40))
	day = rng.randint(1, 28)
	dom = r.replace(day=day) if day >= r.day else next_month_first(r).replace(day=day)
	if lang == "en":
		options = [
			(lambda: ("tomorrow", r + dt.timedelta(1))),
			(
				lambda: (
					rng.choice(["by", "on", "this", "next", "coming", "by this"]) + f" {EN_WD[wd]}",
					coming(r, wd),
				)
			),
			(lambda: (f"on {EN_WD[wd]} next week", monday_after(r) + dt.timedelta(wd))),
			(
				lambda: (
					rng.choice(["next week", "by next week", "sometime next week"]),
					monday_after(r) + dt.timedelta(4),
				)
			),
			(
				lambda: (
					rng.choice(
						[
							"by end of the month",
							"by month-end",
							"at month end",
							"by the end of this month",
							"by EOM",
						]
					),
					month_end(r),
				)
			),
			(lambda: ("by the end of next month", month_end(next_month_first(r)))),
			(lambda: (f"{rng.choice(['in', 'within'])} {n} days", r + dt.timedelta(n))),
			(
				lambda: (
					rng.choice(["in 2 weeks", "in two weeks", "within a fortnight"]),
					r + dt.timedelta(14),
				)
			),
			(lambda: ("within a week", r + dt.timedelta(7))),
			(lambda: (f"in {n % 5 + 2} business days", business_days(r, n % 5 + 2))),
			(lambda: (f"{rng.choice(['on', 'by'])} the {ordinal(day)}", dom)),
			(lambda: (f"{rng.choice(['on', 'by', 'before'])} {absolute_en(t, rng)}", t)),
			(lambda: (f"{rng.choice(['on', 'by'])} {absolute_en(t, rng)}", t)),
			(lambda: ("early next month", next_month_first(r).replace(day=7))),
			(lambda: ("by mid next month", next_month_first(r).replace(day=15))),
			(lambda: ("day after tomorrow", r + dt.timedelta(2))),
		]
	elif lang == "hi":
		options = [
			(lambda: ("kal", r + dt.timedelta(1))),
			(lambda: ("parso", r + dt.timedelta(2))),
			(lambda: (rng.choice(["agle hafte", "next week"]), monday_after(r) + dt.timedelta(4))),
			(lambda: (f"{rng.choice([EN_WD[wd], HI_WD[wd]])} {rng.choice(['tak', 'ko'])}", coming(r, wd))),
			(
				lambda: (
					rng.choice(["mahine ke end tak", "month end tak", "is mahine ke end tak"]),
					month_end(r),
				)
			),
			(lambda: (f"{day} tarikh {rng.choice(['tak', 'ko'])}", dom)),
			(lambda: (f"{n} din mein", r + dt.timedelta(n))),
			(lambda: (f"{numeric(t, rng, year=False)} tak", t)),
			(lambda: ("agle mahine ki 5 tarikh", next_month_first(r).replace(day=5))),
			(lambda: (f"{absolute_en(t, rng)} tak", t)),
		]
	elif lang == "es":
		options = [
			(lambda: ("mañana", r + dt.timedelta(1))),
			(lambda: (f"el {rng.choice(['', 'próximo '])}{ES_WD[wd]}", coming(r, wd))),
			(lambda: ("la próxima semana", monday_after(r) + dt.timedelta(4))),
			(lambda: ("a fin de mes", month_end(r))),
			(lambda: (f"en {n} días", r + dt.timedelta(n))),
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
			(lambda: (f"el {numeric(t, rng)}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: ("morgen", r + dt.timedelta(1))),
			(lambda: (f"{rng.choice(['am', 'nächsten'])} {DE_WD[wd]}", coming(r, wd))),
			(lambda: ("nächste Woche", monday_after(r) + dt.timedelta(4))),
			(lambda: (rng.choice(["bis Ende des Monats", "zum Monatsende"]), month_end(r))),
			(lambda: (f"in {n} Tagen", r + dt.timedelta(n))),
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"bis zum {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	else:
		options = [
			(lambda: ("demain", r + dt.timedelta(1))),
			(lambda: (f"{FR_WD[wd]} prochain", coming(r, wd))),
			(lambda: ("la semaine prochaine", monday_after(r) + dt.timedelta(4))),
			(lambda: ("à la fin du mois", month_end(r))),
			(lambda: (f"dans {n} jours", r + dt.timedelta(n))),
			(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)),
			(lambda: (f"le {numeric(t, rng)}", t)),
		]
	return rng.choice(options)()


def past_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A payment date written in ``lang``: (phrase, date), on or before ``r``."""
	wd = rng.randrange(5)
	t = r - dt.timedelta(days=rng.randint(0, 8))
	if lang == "en":
		options = [
			(lambda: (rng.choice(["today", "this morning"]), r)),
			(lambda: ("yesterday", r - dt.timedelta(1))),
			(lambda: (f"{rng.choice(['on', 'last'])} {EN_WD[wd]}", previous(r, wd))),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"{(r - t).days + 2} days ago", r - dt.timedelta((r - t).days + 2))),
		]
	elif lang == "hi":
		options = [
			(lambda: ("aaj", r)),
			(lambda: ("kal", r - dt.timedelta(1))),
			(lambda: (f"{numeric(t, rng, year=False)} ko", t)),
			(lambda: (f"{EN_WD[wd]} ko", previous(r, wd))),
		]
	elif lang == "es":
		options = [
			(lambda: ("hoy", r)),
			(lambda: ("ayer", r - dt.timedelta(1))),
			(lambda: (f"el {numeric(t, rng)}", t)),
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: ("heute", r)),
			(lambda: ("gestern", r - dt.timedelta(1))),
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"am {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	else:
		options = [
			(lambda: ("aujourd'hui", r)),
			(lambda: ("hier", r - dt.timedelta(1))),
			(lambda: (f"le {numeric(t, rng)}", t)),
			(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)),
		]
	return rng.choice(options)()


def _workday_ahead(r: dt.date, rng: random.Random) -> dt.date:
	t = r + dt.timedelta(days=rng.randint(2, 20))
	while t.weekday() >= 5:
		t += dt.timedelta(1)
	return t


def back_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A return date after "back" (the template supplies "back"/"returning"): (phrase, date)."""
	t = _workday_ahead(r, rng)
	if lang in ("en", "hi"):
		options = [
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"on {EN_WD[t.weekday()]}, {t.day} {EN_MON[t.month - 1]}", t)),
			(lambda: ("tomorrow", r + dt.timedelta(1))),
			(lambda: ("next Monday", coming(r, 0))),
			(lambda: ("next week", monday_after(r))),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"am {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	elif lang == "es":
		options = [
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
			(lambda: (f"el {numeric(t, rng)}", t)),
		]
	else:
		options = [(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)), (lambda: (f"le {numeric(t, rng)}", t))]
	return rng.choice(options)()


def until_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A date written after "until" (the template supplies the word): (phrase, date)."""
	t = _workday_ahead(r, rng)
	if lang in ("en", "hi"):
		forms = [
			absolute_en(t, rng),
			f"{EN_WD[t.weekday()]} {t.day} {EN_ABBR[t.month - 1]}",
			f"{EN_MON[t.month - 1]} {t.day}",
		]
	elif lang == "de":
		forms = [
			numeric(t, rng, "."),
			f"{t.day}. {DE_MON[t.month - 1]}",
			f"zum {t.day}. {DE_MON[t.month - 1]}",
		]
	elif lang == "es":
		forms = [f"el {numeric(t, rng)}", f"el {t.day} de {ES_MON[t.month - 1]}"]
	else:
		forms = [f"{t.day} {FR_MON[t.month - 1]}", numeric(t, rng)]
	return rng.choice(forms), t


def range_dates(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""An absence "from X to Y" (start on/before ``r``): (phrase, first working day after Y)."""
	start = r - dt.timedelta(days=rng.randint(0, 5))
	end = r + dt.timedelta(days=rng.randint(1, 18))
	back = next_weekday_after(end)
	if lang in ("en", "hi"):
		a, b = rng.choice(
			[
				(f"{start.day} {EN_ABBR[start.month - 1]}", f"{end.day} {EN_ABBR[end.month - 1]}"),
				(numeric(start, rng), numeric(end, rng)),
				(f"{EN_MON[start.month - 1]} {start.day}", f"{EN_MON[end.month - 1]} {end.day}"),
			]
		)
		phrase = rng.choice([f"from {a} to {b}", f"from {a} until {b}", f"between {a} and {b}"])
	elif lang == "de":
		phrase = f"vom {numeric(start, rng, '.')} bis {numeric(end, rng, '.')}"
	elif lang == "es":
		phrase = f"desde el {numeric(start, rng)} hasta el {numeric(end, rng)}"
	else:
		phrase = f"du {numeric(start, rng)} au {numeric(end, rng)}"
	return phrase, back


# ---------------------------------------------------------------------------------- other slots


def indian(n: int) -> str:
	"""4,50,000: Indian digit grouping."""
	s = str(n)
	if len(s) <= 3:
		return s
	head, tail = s[:-3], s[-3:]
	groups = []
	while len(head) > 2:
		groups.insert(0, head[-2:])
		head = head[:-2]
	return ",".join([head, *groups, tail])


def amount(lang: str, rng: random.Random) -> tuple[str, float, str | None]:
	"""(phrase, value, currency) for an amount written in ``lang``'s usual styles."""
	base = rng.choice([rng.randint(5, 500) * 1000, rng.randint(10, 990) * 100, rng.randint(1000, 900000)])
	paise = rng.random() < 0.15
	value = base + (rng.randint(1, 99) / 100 if paise else 0)
	dec = f"{value:.2f}".split(".")[1]
	west = f"{base:,}" + (f".{dec}" if paise else "")
	eu = f"{base:,}".replace(",", ".") + (f",{dec}" if paise else "")
	ind = indian(base) + (f".{dec}" if paise else "")
	lakh = rng.choice([1.5, 2, 2.5, 3.25, 4, 7.5, 12])
	if lang == "hi":
		styles = [
			(f"₹{ind}", value, "INR"),
			(f"Rs {ind}", value, "INR"),
			(f"{lakh} lakh", lakh * 1e5, "INR"),
			(f"{base // 1000}k", (base // 1000) * 1000.0, None),
			(f"{ind} rupaye", value, "INR"),
		]
	elif lang in ("de", "fr", "es"):
		styles = [
			(f"{eu} €", value, "EUR"),
			(f"EUR {eu}", value, "EUR"),
			(f"€{eu}", value, "EUR"),
			(f"{eu} EUR", value, "EUR"),
		]
	else:
		styles = [
			(f"₹{ind}", value, "INR"),
			(f"Rs. {ind}/-", value, "INR"),
			(f"INR {ind}", value, "INR"),
			(f"Rs.{base}", float(base), "INR"),
			(f"{lakh} lakhs", lakh * 1e5, "INR"),
			(f"{base // 1000}k", (base // 1000) * 1000.0, None),
			(f"${west}", value, "USD"),
			(f"USD {west}", value, "USD"),
			(f"{west} USD", value, "USD"),
			(f"€{west}", value, "EUR"),
			(f"£{west}", value, "GBP"),
			(f"{ind}", value, None),
		]
		if rng.random() < 0.05:
			styles.append(("1 crore", 1e7, "INR"))
	text, val, cur = rng.choice(styles)
	return text, round(val, 2), cur


def invoice(rng: random.Random) -> tuple[str, str]:
	"""(as written, as it should be read)."""
	year = rng.choice([2025, 2026])
	n = rng.randint(1, 99999)
	text = rng.choice(
		[
			f"ACC-SINV-{year}-{n:05d}",
			f"ACC-SINV-{year}-{n:05d}",
			f"SINV-{year % 100}-{n % 10000:04d}",
			f"INV-{n % 10000 + 100}",
			f"INV/{year}/{n % 1000 + 10}",
			f"#{n % 90000 + 10000}",
			f"inv-{n % 10000 + 100}",
		]
	)
	return text, text.strip("#").upper()


def reference(lang: str, rng: random.Random) -> tuple[str, str]:
	"""(phrase, reference token)."""
	bank = rng.choice(["HDFC", "ICIC", "SBIN", "UTIB", "KKBK", "YESB"])
	utr = f"{bank}R5{rng.randint(2025, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(10**7, 10**8 - 1)}"
	neft = f"N{rng.randint(10**14, 10**15 - 1)}"
	chq = f"{rng.randint(1, 999999):06d}"
	txn = rng.choice(
		[
			f"TXN{rng.randint(10**7, 10**9)}",
			f"{rng.randint(10**9, 10**10 - 1)}",
			f"FT{rng.randint(10**5, 10**6)}X{rng.randint(10, 99)}",
		]
	)
	rrn = str(rng.randint(10**11, 10**12 - 1))
	if lang == "de":
		return rng.choice([(f"Referenz {txn}", txn), (f"Referenz: {txn}", txn)])
	if lang == "es":
		return (f"referencia {txn}", txn)
	if lang == "fr":
		return (f"référence {txn}", txn)
	token, phrase = rng.choice(
		[
			(utr, f"UTR {utr}"),
			(utr, f"UTR no. {utr}"),
			(neft, f"UTR: {neft}"),
			(chq, f"cheque no. {chq}"),
			(chq, f"chq no {chq}"),
			(txn, f"transaction ID {txn}"),
			(txn, f"txn id {txn}"),
			(txn, f"Ref no. {txn}"),
			(neft, f"NEFT ref {neft}"),
			(rrn, f"IMPS ref no {rrn}"),
			(rrn, f"UPI ref {rrn}"),
			(txn, f"wire reference {txn}"),
		]
	)
	return phrase, token


# ------------------------------------------------------------------------------------- wrapping

GREETINGS = {
	"en": [
		"Hi,",
		"Hello team,",
		"Dear Sir/Madam,",
		"Hi {first},",
		"Good morning,",
		"Dear Accounts Team,",
		"Hello,",
		"Hey,",
	],
	"hi": ["Namaste sir,", "Hello ji,", "Sir,", "Hi,"],
	"es": ["Hola,", "Buenos días,", "Estimados:"],
	"de": ["Hallo,", "Guten Morgen,", "Sehr geehrte Damen und Herren,"],
	"fr": ["Bonjour,", "Madame, Monsieur,"],
}
SIGN_OFFS = {
	"en": [
		"Thanks,\n{first}",
		"Regards,\n{name}\n{company}",
		"Thanks & Regards,\n{name}\nAccounts Payable | {company}\nPh: +91 98{phone}",
		"Best,\n{first}",
		"--\n{name}\n{company}",
		"Sent from my iPhone",
		"Kind regards,\n{name}\nFinance Manager\n{company}\nTel: +1 (415) 555-0{ext}",
		"Warm regards,\n{name}",
		"Thanks and regards\n{name}\nMob: 98{phone}",
	],
	"hi": ["Thanks\n{first}", "Regards,\n{name}", "Dhanyavaad\n{first}", "Sent from my Android"],
	"es": ["Saludos,\n{name}", "Atentamente,\n{name}\n{company}", "Un saludo"],
	"de": ["Mit freundlichen Grüßen\n{name}\n{company}", "Viele Grüße\n{first}", "Beste Grüße"],
	"fr": ["Cordialement,\n{name}", "Bien cordialement,\n{name}\n{company}"],
}
DISCLAIMER = (
	"DISCLAIMER: This email and any attachments are confidential and intended solely for the addressee. "
	"If you have received it in error please notify the sender and delete it."
)
REMINDER_LINES = (
	"Dear {company},",
	"This is a friendly reminder that invoice {inv} for INR {amount} was due on {due}.",
	"Our records show it is now {days} days overdue. Please arrange payment at the earliest.",
	"If you have already paid, please ignore this message.",
	"Regards,",
	"Accounts Receivable, OptimAR Demo Pvt Ltd",
)


def reminder(r: dt.date, rng: random.Random, company: str) -> list[str]:
	due = r - dt.timedelta(days=rng.randint(3, 60))
	inv, _ = invoice(rng)
	values = {
		"company": company,
		"inv": inv,
		"amount": indian(rng.randint(10, 900) * 1000),
		"due": due.strftime("%d/%m/%Y"),
		"days": (r - due).days,
	}
	return [line.format(**values) for line in REMINDER_LINES]


def quoted(r: dt.date, rng: random.Random, company: str, lang: str) -> str:
	sent = r - dt.timedelta(days=rng.randint(0, 3))
	lines = reminder(r, rng, company)
	when = sent.strftime("%a, %d %b %Y")
	style = rng.choice(["gmail", "gmail", "outlook", "native"])
	if style == "outlook":
		head = (
			f"-----Original Message-----\nFrom: Accounts Receivable <ar@optimardemo.com>\nSent: {sent.strftime('%A, %B %d, %Y')} 10:02 AM\n"
			f"To: {company}\nSubject: Payment reminder"
		)
		return head + "\n\n" + "\n".join(lines)
	if style == "native" and lang in ("de", "es", "fr"):
		head = {
			"de": f"Am {sent.strftime('%d.%m.%Y')} um 10:02 schrieb Accounts Receivable <ar@optimardemo.com>:",
			"es": f"El {sent.strftime('%d/%m/%Y')}, a las 10:02, Accounts Receivable <ar@optimardemo.com> escribió:",
			"fr": f"Le {sent.strftime('%d/%m/%Y')} à 10:02, Accounts Receivable <ar@optimardemo.com> a écrit :",
		}[lang]
	else:
		head = f"On {when} at 10:02, Accounts Receivable <ar@optimardemo.com> wrote:"
		if rng.random() < 0.3:
			head = head.replace(" wrote:", "\nwrote:")
	return head + "\n" + "\n".join(f"> {line}" for line in lines)


def forwarded(r: dt.date, rng: random.Random, company: str, body: str | None = None) -> str:
	sent = r - dt.timedelta(days=rng.randint(0, 5))
	sender = (
		"Accounts Receivable <ar@optimardemo.com>"
		if body is None
		else "HDFC Bank InstaAlerts <alerts@hdfcbank.net>"
	)
	subject = "Payment reminder" if body is None else "Payment advice"
	head = (
		f"---------- Forwarded message ---------\nFrom: {sender}\nDate: {sent.strftime('%a, %b %d, %Y')} at 9:14 AM\n"
		f"Subject: {subject}\nTo: <payables@{company.split()[0].lower()}.com>\n"
	)
	return head + "\n" + (body if body is not None else "\n".join(reminder(r, rng, company)))


def typo(text: str, rng: random.Random) -> str:
	"""One to three typos in words of five letters or more, outside slot values (``{…}``)."""
	words = [m for m in re.finditer(r"(?<![{\w])[A-Za-z]{5,}(?![\w}])", text)]
	picked = rng.sample(words, min(len(words), rng.randint(1, 3)))
	for m in sorted(picked, key=lambda m: -m.start()):  # from the end, so earlier offsets stay valid
		w = m.group(0)
		i = rng.randrange(1, len(w) - 2)
		kind = rng.randrange(3)
		new = (
			w[:i] + w[i + 1] + w[i] + w[i + 2 :]
			if kind == 0
			else (w[:i] + w[i + 1 :] if kind == 1 else w[:i] + w[i] + w[i:])
		)
		text = text[: m.start()] + new + text[m.end() :]
	return text


# ------------------------------------------------------------------------------------- rendering


def received_date(rng: random.Random) -> dt.date:
	d = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 345))
	if rng.random() < 0.85:
		while d.weekday() >= 5:
			d -= dt.timedelta(1)
	return d


def render(intent: str, lang: str, label: str, text: str, rng: random.Random) -> dict:
	"""One record from a template: slots filled, wrapping applied, expected fields recorded."""
	r = received_date(rng)
	slot_lang = "en" if lang == "advice" else lang
	name, company = rng.choice(NAMES), rng.choice(COMPANIES)
	expect: dict = {}
	invoices: list[str] = []
	if rng.random() < 0.2:
		text = typo(text, rng)

	def fill(m: re.Match) -> str:
		slot = m.group(1)
		if slot == "D":
			phrase, d = future_date(slot_lang, r, rng)
			expect.setdefault("promised_date", d.isoformat())
		elif slot == "P":
			phrase, d = past_date(slot_lang, r, rng)
			expect.setdefault("payment_date", d.isoformat())
		elif slot in ("B", "U", "RANGE"):
			phrase, d = {"B": back_date, "U": until_date, "RANGE": range_dates}[slot](slot_lang, r, rng)
			expect.setdefault("return_date", d.isoformat())
		elif slot == "A":
			phrase, value, cur = amount(slot_lang, rng)
			if "amount" not in expect:
				expect["amount"], expect["currency"] = value, cur
		elif slot in ("I", "I2"):
			phrase, inv = invoice(rng)
			while inv in invoices:
				phrase, inv = invoice(rng)
			invoices.append(inv)
		elif slot == "R":
			phrase, ref = reference(slot_lang, rng)
			expect.setdefault("reference", ref)
		elif slot == "N":
			phrase = rng.choice([n for n in NAMES if n != name])
		elif slot == "C":
			phrase = company
		elif slot == "c":
			phrase = company.split()[0].lower()
		else:
			raise ValueError(f"unknown slot {slot}")
		return phrase

	body = re.sub(r"\{(\w+)\}", fill, text.replace("\\n", "\n"))
	if intent == "promise_to_pay":
		expect.setdefault("promised_date", None)
	if intent == "dispute":
		expect["reason"] = label
	if intent == "document_request":
		expect["document"] = label
	if intent == "out_of_office":
		expect.setdefault("return_date", None)
	expect["invoices"] = invoices
	first = name.split()[0]
	fmt = {
		"first": first,
		"name": name,
		"company": company,
		"phone": rng.randint(10**7, 10**8 - 1),
		"ext": rng.randint(100, 999),
	}
	if lang == "advice":
		note = rng.choice(["FYI", "PFB", "Please see below.", "Payment details below", "fyi - paid"])
		full = note + "\n\n" + forwarded(r, rng, company, body)
		return {"received": r.isoformat(), "text": full, "expect": expect, "lang": "en"}
	parts = []
	if intent != "out_of_office" and rng.random() < 0.5:
		parts.append(rng.choice(GREETINGS[lang]).format(**fmt))
	lower = rng.random()
	if lower < 0.1:
		body = body.lower()
	elif lower < 0.13 and intent in ("dispute", "other"):
		body = body.upper()
	parts.append(body)
	if rng.random() < 0.6:
		parts.append(rng.choice(SIGN_OFFS[lang]).format(**fmt))
		if rng.random() < 0.1:
			parts.append(DISCLAIMER)
	sep = "\n\n" if rng.random() < 0.7 else "\n"
	message = sep.join(parts)
	tail = rng.random()
	if intent == "out_of_office":
		pass
	elif tail < 0.35:
		message += "\n\n" + quoted(r, rng, company, lang)
	elif tail < 0.43:
		message += "\n\n" + forwarded(r, rng, company)
	return {"received": r.isoformat(), "text": message, "expect": expect, "lang": lang}


def templates() -> list[tuple[str, str, str, str, str]]:
	"""(group id, intent, lang, label, text) for every template line."""
	out = []
	prefix = {
		"promise_to_pay": "ptp",
		"dispute": "dsp",
		"payment_made": "pay",
		"document_request": "doc",
		"out_of_office": "ooo",
		"other": "oth",
	}
	for intent, block in TEMPLATES.items():
		for i, line in enumerate(ln for ln in block.strip().split("\n") if ln.strip()):
			lang, label, text = line.split("|", 2)
			out.append((f"{prefix[intent]}-{i + 1:03d}", intent, lang, label, text))
	return out


def build(seed: int = 7, copies: int = 2) -> list[dict]:
	"""Every template rendered ``copies`` times (out-of-office, the smallest class, one more time)."""
	rng = random.Random(seed)
	records = []
	for group, intent, lang, label, text in templates():
		for k in range(copies + (1 if intent == "out_of_office" else 0)):
			rec = render(intent, lang, label, text, rng)
			records.append({"id": f"{group}-{k + 1}", "group": group, "intent": intent, **rec})
	return records


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--out", default=str(CORPUS_PATH))
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--copies", type=int, default=2)
	args = parser.parse_args()
	records = build(args.seed, args.copies)
	with open(args.out, "w", encoding="utf-8") as fh:
		for rec in records:
			fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
	counts: dict[str, int] = {}
	for rec in records:
		counts[rec["intent"]] = counts.get(rec["intent"], 0) + 1
	print(f"{len(records)} records written to {args.out}: {counts}")


if __name__ == "__main__":
	main()
