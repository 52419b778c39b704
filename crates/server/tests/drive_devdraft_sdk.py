"""Drives paylinks' /api/v0 with Devdraft's own Python SDK (devdraft-sdk 1.0.9 from PyPI).

Run by tests/devdraft_sdk.rs (named apart from the package it imports) with PAYLINKS_BASE, PAYLINKS_CLIENT_KEY / PAYLINKS_CLIENT_SECRET
(merchant A) and PAYLINKS_OTHER_KEY / PAYLINKS_OTHER_SECRET (merchant B). Prints one JSON object
with what the server answered; the Rust test checks it.

Every call returns None in this SDK (its operations declare no response type), so each one asks
for the raw response (_preload_content=False) and reads its JSON.
"""

import datetime
import json
import os

import devdraft_sdk
from devdraft_sdk.rest import ApiException


def links_api(client_key, client_secret):
    config = devdraft_sdk.Configuration()
    config.host = os.environ["PAYLINKS_BASE"]
    # A dict of its own: every Configuration() shares one default api_key dict, so two clients
    # would otherwise both send whichever credentials were set last.
    config.api_key = {"x-client-key": client_key, "x-client-secret": client_secret}
    return devdraft_sdk.PaymentLinksApi(devdraft_sdk.ApiClient(config))


def answer(response):
    return {"status": response.status, "body": json.loads(response.data)}


def refused(call):
    try:
        call()
    except ApiException as err:
        return {"status": err.status, "body": json.loads(err.body)}
    return {"status": "no error"}


ours = links_api(os.environ["PAYLINKS_CLIENT_KEY"], os.environ["PAYLINKS_CLIENT_SECRET"])
theirs = links_api(os.environ["PAYLINKS_OTHER_KEY"], os.environ["PAYLINKS_OTHER_SECRET"])
raw = {"_preload_content": False}

dto = devdraft_sdk.CreatePaymentLinkDto(
    title="Tea club box",
    url="sdk-tea-club",
    description="A **monthly** box",
    cover_image="https://cdn.example.com/tea.png",
    link_type="PRODUCT",
    amount=29.99,
    payment_for_id="order-77",
    customer_id="cus_42",
    collect_tax=True,
    tax_id="txr_eu_vat",
    collect_address=True,
    require_phone_number=True,
    limit_payments=True,
    max_payments=30.0,
    custom_fields=[{"key": "size", "label": "Box size", "type": "dropdown", "required": True, "options": ["S", "L"]}],
    allow_business_tax_id=True,
    allow_mobile_payment=True,
    create_invoice_pdf=True,
    currency="usdc",
    expiration_date=datetime.datetime(2030, 1, 31, 23, 59, 59),
)
created = answer(ours.payment_links_controller_create(dto, **raw))
link_id = created["body"]["id"]
second = devdraft_sdk.CreatePaymentLinkDto(title="Green tea", url="sdk-green", link_type="PRODUCT", amount=12.5)
ours.payment_links_controller_create(second, **raw)

result = {
    "created": created,
    "listed": answer(ours.payment_links_controller_find_all(skip=0, take=10, **raw)),
    "paged": answer(ours.payment_links_controller_find_all(skip=1, take=1, **raw)),
    "got": answer(ours.payment_links_controller_find_one(link_id, **raw)),
    "updated": answer(ours.payment_links_controller_update({"title": "Tea club crate", "amount": 31.5}, link_id, **raw)),
    "link_type_change": refused(lambda: ours.payment_links_controller_update({"linkType": "DONATION"}, link_id)),
    "invalid": refused(
        lambda: ours.payment_links_controller_create(
            devdraft_sdk.CreatePaymentLinkDto(title="No", url="sdk-no", link_type="PRODUCT", amount=0.001)
        )
    ),
    "other_merchant_get": refused(lambda: theirs.payment_links_controller_find_one(link_id)),
    "other_merchant_list": answer(theirs.payment_links_controller_find_all(**raw)),
}
print(json.dumps(result))
